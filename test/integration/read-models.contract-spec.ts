import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoConnection } from '../../src/shared/mongo/mongo-connection';
import { MongoProjectionStore } from '../../src/shared/projections/adapters/mongo-projection-store';
import { SqliteProjectionStore } from '../../src/shared/projections/adapters/sqlite-projection-store';
import { MongoInstanceReadModel } from '../../src/shared/read-models/adapters/mongo-instance-read-model';
import { MongoDefinitionReadModel, MongoDeletionReadModel } from '../../src/shared/read-models/adapters/mongo-read-models';
import { SqliteDefinitionReadModel, SqliteDeletionReadModel } from '../../src/shared/read-models/adapters/sqlite-catalog-read-models';
import { SqliteInstanceReadModel } from '../../src/shared/read-models/adapters/sqlite-instance-read-model';
import { SqliteConnection } from '../../src/shared/sqlite/sqlite-database';
import { readModelsContract } from './read-models.contract';

readModelsContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wis-rm-'));
  const conn = new SqliteConnection(join(dir, 'test.db'));
  return {
    store: new SqliteProjectionStore(conn),
    definitions: new SqliteDefinitionReadModel(conn),
    instances: new SqliteInstanceReadModel(conn),
    deletions: new SqliteDeletionReadModel(conn),
    close: async () => {
      conn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const MONGODB_URI = process.env.MONGODB_URI?.trim();

if (MONGODB_URI) {
  readModelsContract('mongodb', async () => {
    const conn = new MongoConnection(MONGODB_URI, `wis_contract_${randomUUID().slice(0, 8)}`);
    await conn.connect();
    await conn.ensureIndexes();
    return {
      store: new MongoProjectionStore(conn),
      definitions: new MongoDefinitionReadModel(conn),
      instances: new MongoInstanceReadModel(conn),
      deletions: new MongoDeletionReadModel(conn),
      close: async () => {
        await conn.db.dropDatabase();
        await conn.close();
      },
    };
  });
} else {
  console.log('skipped: no MongoDB configured (set MONGODB_URI to run the MongoDB read-model queries contract suite)');
}
