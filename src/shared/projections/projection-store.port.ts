import { ReadDoc } from './projection';

export interface StoredDoc<D extends ReadDoc = ReadDoc> {
  /** `null` for a tombstone: the document was removed at `position`. */
  doc: D | null;
  position: number;
}

export interface DocWrite {
  collection: string;
  id: string;
  position: number;
  /** `null` removes the document (keeping a tombstone where the adapter needs one). */
  doc: ReadDoc | null;
}

export interface CheckpointMove {
  name: string;
  /** The checkpoint the runner started the batch from: a compare-and-set guard. */
  from: number | null;
  to: number;
}

/**
 * Storage for projection documents and their checkpoints. Every adapter passes
 * `test/integration/projection-store.contract.ts`.
 */
export abstract class ProjectionStore {
  abstract readonly kind: string;

  /** Documents (or tombstones) by id; ids never written are absent from the map. */
  abstract getMany(collection: string, ids: string[]): Promise<Map<string, StoredDoc>>;

  abstract loadCheckpoints(names: string[]): Promise<Map<string, number | null>>;

  /**
   * Writes the documents and moves the checkpoints. The embedded adapter does it in one
   * transaction; MongoDB writes documents first (each guarded by position, so a retry is
   * harmless) and checkpoints last.
   * @throws ConcurrencyError when a checkpoint is no longer at `from` (another projector moved
   *   it); nothing of the batch is applied in that case on the embedded store.
   */
  abstract commit(writes: DocWrite[], checkpoints: CheckpointMove[]): Promise<void>;

  /** Drops every document and checkpoint of the named projections (a rebuild from scratch). */
  abstract reset(collections: string[], checkpointNames: string[]): Promise<void>;

  /**
   * Blue/green rebuilds. Read models live in generations; readers use the active one. A rebuild
   * takes a new generation (or resumes the one being built), fills it through `forGeneration`,
   * and `activateGeneration` switches every reader at once.
   */
  abstract generations(): Promise<{ active: number; building: number | null }>;
  abstract beginGeneration(): Promise<number>;
  abstract forGeneration(generation: number): ProjectionStore;
  abstract activateGeneration(generation: number): Promise<void>;

  abstract ping(): Promise<void>;
}
