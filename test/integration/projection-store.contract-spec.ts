import { randomUUID } from 'node:crypto';
import { ACTIVE_GENERATION_TTL_MS, MongoConnection } from '../../src/shared/mongo/mongo-connection';
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
  const others: SqliteConnection[] = [];
  return {
    store: new SqliteProjectionStore(conn),
    reopen: async () => {
      const other = new SqliteConnection(join(dir, 'test.db'));
      others.push(other);
      return new SqliteProjectionStore(other);
    },
    close: async () => {
      others.forEach((o) => o.close());
      conn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const MONGODB_URI = process.env.MONGODB_URI?.trim();

if (MONGODB_URI) {
  projectionStoreContract('mongodb', async () => {
    const dbName = `wis_contract_${randomUUID().slice(0, 8)}`;
    const conn = new MongoConnection(MONGODB_URI, dbName);
    await conn.connect();
    await conn.ensureIndexes();
    const others: MongoConnection[] = [];
    return {
      store: new MongoProjectionStore(conn),
      reopen: async () => {
        const other = new MongoConnection(MONGODB_URI, dbName);
        await other.connect();
        others.push(other);
        return new MongoProjectionStore(other);
      },
      followDelayMs: ACTIVE_GENERATION_TTL_MS + 100,
      close: async () => {
        await conn.db.dropDatabase();
        await Promise.all(others.map((o) => o.close()));
        await conn.close();
      },
    };
  });
} else {
  console.log('skipped: no MongoDB configured (set MONGODB_URI to run the MongoDB ProjectionStore contract suite)');
}
