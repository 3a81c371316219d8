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

/** What moves together between generations: a projection's checkpoint and its collection. */
export interface ProjectionRef {
  name: string;
  collection: string;
}

export interface ProjectionGenerations {
  /** The generation readers use. */
  active: number;
  /** The generation a rebuild is filling, or null. */
  building: number | null;
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
   * Blue/green rebuilds, per projection. Each projection's documents, tombstones and checkpoint
   * live in a generation of their own and switch together; readers use each projection's active
   * generation, so one projection can be rebuilt and switched while the others stay as they are.
   * Generation numbers come from one sequence per store.
   */
  abstract generations(projections: ProjectionRef[]): Promise<Map<string, ProjectionGenerations>>;

  /**
   * The generation each projection is built into, by name: the one it is already being built
   * into (an interrupted rebuild resumes), else one new generation, after every number in use, for
   * all the projections that had none. A new generation starts empty.
   */
  abstract beginGeneration(projections: ProjectionRef[]): Promise<Map<string, number>>;

  /** A store that reads and writes `generation` for every projection (what a rebuild fills). */
  abstract forGeneration(generation: number): ProjectionStore;

  /**
   * Switches readers of the named projections to `generation` in one write (the embedded store:
   * one transaction for all of them), records the generation each replaced, and drops each
   * projection's generations older than `min(replaced, generation - 1)`: the generation just
   * replaced stays (stale readers of other processes, rollback by hand), and so does the target
   * of a rollback. Repeating the call changes nothing.
   * @throws Error when `generation` was never built for one of them (nothing is switched).
   */
  abstract activateGeneration(generation: number, projections: ProjectionRef[]): Promise<void>;

  abstract ping(): Promise<void>;
}
