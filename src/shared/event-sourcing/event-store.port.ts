import { NewEvent, RecordedEvent } from './event';

/**
 * What the appender expects the stream to be:
 * - `no_stream`: the stream has no events (first append),
 * - `stream_exists`: it has at least one event,
 * - a number: the revision of its last event (0-based),
 * - `any`: no check (never used by command handlers; idempotency then rests on event ids only).
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextExpectedRevision: number;
  /** Global position of the last appended event. */
  position: number;
}

export interface StreamAppend {
  streamId: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
}

export type StreamAppendOutcome =
  | ({ ok: true } & AppendResult)
  | { ok: false; reason: 'conflict' | 'deleted'; actualRevision: number | null };

export interface CatchUpSubscription {
  /** Stops delivery; resolves once the handler is no longer running. */
  stop(): Promise<void>;
}

/**
 * The event store. Every adapter passes `test/integration/event-store.contract.ts`.
 *
 * Idempotency: appending events whose ids are already stored at the same place in the same
 * stream is a success that writes nothing (a retry after a lost answer). Event ids are derived
 * from the command so retries reuse them.
 */
export abstract class EventStore {
  abstract readonly kind: string;

  /**
   * Appends atomically, checking `expectedRevision`.
   * @throws ConcurrencyError when the stream is not at the expected revision
   * @throws StreamDeletedError when the stream was purged (only its marker remains and it is sealed)
   */
  abstract append(streamId: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;

  /**
   * Appends to many streams. Each stream's append is atomic and checked; a conflict on one stream
   * is reported in its outcome and does not stop the others. The embedded adapter commits the
   * whole call in one transaction; EventStoreDB runs the appends with bounded concurrency.
   * Outcomes are in the order of `appends`.
   */
  abstract appendMany(appends: StreamAppend[]): Promise<StreamAppendOutcome[]>;

  /** All visible events of a stream in revision order; `[]` when the stream does not exist. */
  abstract readStream(streamId: string): Promise<RecordedEvent[]>;

  /** `readStream` for many streams at once; every requested id is a key of the result. */
  abstract readStreams(streamIds: string[]): Promise<Map<string, RecordedEvent[]>>;

  /**
   * Up to `maxCount` events of the global log strictly after `after` (`null` = from the start), in
   * position order. System events of the backing store are never returned.
   */
  abstract readAll(after: number | null, maxCount: number): Promise<RecordedEvent[]>;

  /**
   * Catch-up subscription: delivers every event after `after`, then live ones, in order, one
   * batch at a time; the next batch waits for the handler's promise (back-pressure). A handler
   * error stops the subscription and is passed to `onError`.
   */
  abstract subscribe(
    after: number | null,
    handler: (events: RecordedEvent[]) => Promise<void>,
    onError: (error: unknown) => void,
  ): CatchUpSubscription;

  /**
   * Hides every event of the stream before `revision` for good (embedded: rows deleted;
   * EventStoreDB: `$tb`, removed from disk by the next scavenge). The stream stays sealed
   * against re-creation. Idempotent.
   */
  abstract truncateBefore(streamId: string, revision: number): Promise<void>;

  /** `truncateBefore` for many streams (the purge's batch); embedded: one transaction. */
  abstract truncateMany(items: { streamId: string; revision: number }[]): Promise<void>;

  /** Position of the newest event in the global log, `null` when empty. */
  abstract headPosition(): Promise<number | null>;

  /** Cheap round trip for health checks. */
  abstract ping(): Promise<void>;
}
