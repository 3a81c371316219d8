import { RecordedEvent } from '../event-sourcing/event';

/** Every read-model document carries its id; the store adds the position it was last written at. */
export interface ReadDoc {
  id: string;
}

/**
 * A projection is pure: which documents an event touches, and how one document evolves.
 * `evolve` returning `null` removes the document. The runner does the I/O, skips events at or
 * before a document's stored position (replays and duplicates change nothing) and checkpoints.
 */
export interface Projection<D extends ReadDoc = ReadDoc> {
  /** Checkpoint name, e.g. `instances`. */
  name: string;
  /** Collection (Mongo) / table suffix (SQLite) holding the documents. */
  collection: string;
  keysOf(event: RecordedEvent): string[];
  /** `key` is the document id the event was routed to (one of `keysOf(event)`). */
  evolve(doc: D | null, event: RecordedEvent, key: string): D | null;
}
