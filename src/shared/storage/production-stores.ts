import { AppConfig } from '../../config/app.config';
import type { Stores } from './storage.module';

/**
 * EventStoreDB for events, MongoDB for read models, leases and blobs (GridFS). Loaded only in
 * this mode, so the embedded mode never loads the vendor clients.
 */
export async function openProductionStores(config: AppConfig): Promise<Stores> {
  throw new Error(`storage ${config.storage} is not wired yet`);
}
