import { AppConfig } from '../../config/app.config';
import type { Stores } from './storage.module';

/**
 * EventStoreDB for events; MongoDB for read models, checkpoints, leases and blobs (GridFS).
 * The vendor clients are loaded only in this mode.
 */
export async function openProductionStores(config: AppConfig): Promise<Stores> {
  const { EsdbEventStore } = await import('../event-sourcing/adapters/esdb-event-store');
  const { MongoConnection } = await import('../mongo/mongo-connection');
  const { MongoProjectionStore } = await import('../projections/adapters/mongo-projection-store');
  const { MongoInstanceReadModel } = await import('../read-models/adapters/mongo-instance-read-model');
  const { MongoDefinitionReadModel, MongoDeletionReadModel } = await import('../read-models/adapters/mongo-read-models');
  const { MongoLeaseStore } = await import('../leases/adapters/mongo-lease-store');
  const { GridFsBlobStore } = await import('../blobs/adapters/gridfs-blob-store');

  const mongo = new MongoConnection(config.mongoUri!);
  await mongo.connect();
  await mongo.ensureIndexes();
  const events = new EsdbEventStore(config.eventStoreConnectionString!);
  // Fail the start with one clear line rather than on the first request.
  await events.ping().catch(async (e) => {
    await Promise.allSettled([events.close(), mongo.close()]);
    throw new Error(`EventStoreDB at EVENTSTORE_CONNECTION_STRING does not answer: ${e instanceof Error ? e.message : String(e)}`);
  });
  return {
    events,
    projections: new MongoProjectionStore(mongo),
    leases: new MongoLeaseStore(mongo),
    blobs: new GridFsBlobStore(mongo),
    definitions: new MongoDefinitionReadModel(mongo),
    instances: new MongoInstanceReadModel(mongo),
    deletions: new MongoDeletionReadModel(mongo),
    close: async () => {
      await Promise.allSettled([events.close(), mongo.close()]);
    },
  };
}
