import { randomUUID } from 'node:crypto';
import { MongoConnection } from '../../src/shared/mongo/mongo-connection';
import { MongoProjectionStore } from '../../src/shared/projections/adapters/mongo-projection-store';
import { projectionStoreContract } from './projection-store.contract';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteConnection } from '../../src/shared/sqlite/sqlite-database';
import { SqliteProjectionStore } from '../../src/shared/projections/adapters/sqlite-projection-store';

projectionStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wis-ps-'));
  const conn = new SqliteConnection(join(dir, 'test.db'));
  return {
    store: new SqliteProjectionStore(conn),
    close: async () => {
      conn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const MONGODB_URI = process.env.MONGODB_URI?.trim();

if (MONGODB_URI) {
  projectionStoreContract('mongodb', async () => {
    const conn = new MongoConnection(MONGODB_URI, `wis_contract_${randomUUID().slice(0, 8)}`);
    await conn.connect();
    await conn.ensureIndexes();
    return {
      store: new MongoProjectionStore(conn),
      close: async () => {
        await conn.db.dropDatabase();
        await conn.close();
      },
    };
  });
} else {
  console.log('skipped: no MongoDB configured (set MONGODB_URI to run the MongoDB ProjectionStore contract suite)');
}
