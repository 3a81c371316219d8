import { randomUUID } from 'node:crypto';
import { MongoLeaseStore } from '../../src/shared/leases/adapters/mongo-lease-store';
import { MongoConnection } from '../../src/shared/mongo/mongo-connection';
import { leaseStoreContract } from './lease-store.contract';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteConnection } from '../../src/shared/sqlite/sqlite-database';
import { SqliteLeaseStore } from '../../src/shared/leases/adapters/sqlite-lease-store';

leaseStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wis-lease-'));
  const conn = new SqliteConnection(join(dir, 'test.db'));
  return {
    store: new SqliteLeaseStore(conn),
    close: async () => {
      conn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const MONGODB_URI = process.env.MONGODB_URI?.trim();

if (MONGODB_URI) {
  leaseStoreContract('mongodb', async () => {
    const conn = new MongoConnection(MONGODB_URI, `wis_contract_${randomUUID().slice(0, 8)}`);
    await conn.connect();
    await conn.ensureIndexes();
    return {
      store: new MongoLeaseStore(conn),
      close: async () => {
        await conn.db.dropDatabase();
        await conn.close();
      },
    };
  });
} else {
  console.log('skipped: no MongoDB configured (set MONGODB_URI to run the MongoDB LeaseStore contract suite)');
}
