import { Readable } from 'node:stream';

export interface BlobInfo {
  name: string;
  size: number;
  contentType: string;
  sha256: string;
}

/**
 * Binary content attached to an instance, addressed by (instanceId, name). Every adapter passes
 * `test/integration/blob-store.contract.ts`.
 */
export abstract class BlobStore {
  abstract readonly kind: string;

  /** Stores (or replaces) the blob and returns what was stored. */
  abstract put(instanceId: string, name: string, content: Buffer, contentType: string): Promise<BlobInfo>;

  /** The blob's bytes and info, or `null` when it does not exist. */
  abstract get(instanceId: string, name: string): Promise<{ info: BlobInfo; content: Readable } | null>;

  /** Blobs stored for the instance, by name. */
  abstract list(instanceId: string): Promise<BlobInfo[]>;

  /**
   * Deletes every blob of the instance and returns how many existed. Deleting what is already
   * gone is success (returns 0) and logs nothing above debug.
   */
  abstract deleteAll(instanceId: string): Promise<number>;

  /** Deletes one blob; a missing blob is success. Returns whether it existed. */
  abstract delete(instanceId: string, name: string): Promise<boolean>;

  abstract ping(): Promise<void>;
}
