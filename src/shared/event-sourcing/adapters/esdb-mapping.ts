import {
  ANY,
  AllStreamResolvedEvent,
  AppendExpectedRevision,
  CancelledError,
  DeadlineExceededError,
  JSONType,
  NO_STREAM,
  NotLeaderError,
  Position,
  ResolvedEvent,
  STREAM_EXISTS,
  StreamDeletedError as EsdbStreamDeletedError,
  TimeoutError,
  UnavailableError as EsdbUnavailableError,
  UnknownError,
  WrongExpectedVersionError,
  convertToCommandError,
  jsonEvent,
} from '@eventstore/db-client';
import { EventMetadata, NewEvent, RecordedEvent } from '../event';
import { ConcurrencyError, StreamDeletedError, UnavailableError } from '../errors';
import { ExpectedRevision } from '../event-store.port';

/** Between our event model and @eventstore/db-client's: event data, revisions, positions, errors. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AnyResolved = ResolvedEvent | AllStreamResolvedEvent;

export function toEventData(e: NewEvent) {
  // The server parses ids as GUIDs and reads them back in lowercase 8-4-4-4-12 form.
  if (!UUID.test(e.id)) throw new TypeError(`event id must be a UUID (8-4-4-4-12 hex), got "${e.id}"`);
  // The client serialises inside an async Promise executor: a throw there (bigint, undefined data)
  // becomes an unhandled rejection and the append never settles. Fail here instead.
  if (JSON.stringify(e.data) === undefined) throw new TypeError(`event ${e.id}: data is not JSON`);
  JSON.stringify(e.metadata);
  return jsonEvent({ id: e.id.toLowerCase(), type: e.type, data: e.data as JSONType, metadata: e.metadata });
}

export function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      // -1 is "no events yet", as in the embedded adapter. Other negatives would be serialised as a
      // uint64 inside the client's async executor, where the throw leaves the append pending.
      if (expected === -1) return NO_STREAM;
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw new TypeError(`expected revision must be a non-negative integer, got ${expected}`);
      }
      return BigInt(expected);
  }
}

export function toReadPosition(p: number): Position {
  return { commit: BigInt(p), prepare: BigInt(p) };
}

export function isSystem(r: AnyResolved): boolean {
  return !!r.event && (r.event.type.startsWith('$') || r.event.streamId.startsWith('$'));
}

export function positionOfResolved(r: AnyResolved): number {
  const commit = r.event?.position?.commit ?? r.commitPosition;
  return commit === undefined ? -1 : Number(commit);
}

export function toRecorded(r: AnyResolved): RecordedEvent {
  const e = r.event!;
  return {
    id: e.id,
    streamId: e.streamId,
    revision: Number(e.revision),
    position: positionOfResolved(r),
    type: e.type,
    data: e.data,
    metadata: e.metadata as unknown as EventMetadata,
    createdAt: e.created.toISOString(),
  };
}

/** Non-Error throws (the client throws strings for malformed records) are left as they are. */
export function toCommandError(e: unknown): unknown {
  return e instanceof Error ? convertToCommandError(e) : e;
}

/**
 * Vendor errors to ours. Always converts first: with no server, `appendToStream` rejects with the
 * raw gRPC error of its capability probe (`code: 14`), which is not an `UnavailableError`.
 */
export function translate(e: unknown, streamId?: string): unknown {
  const err = toCommandError(e);
  if (err instanceof WrongExpectedVersionError) {
    return withCause(
      new ConcurrencyError(streamId ?? err.streamName, String(err.expectedVersion), String(err.actualVersion)),
      err,
    );
  }
  if (err instanceof EsdbStreamDeletedError) return withCause(new StreamDeletedError(streamId ?? err.streamName), err);
  if (
    err instanceof EsdbUnavailableError ||
    err instanceof DeadlineExceededError ||
    err instanceof CancelledError ||
    err instanceof TimeoutError ||
    err instanceof NotLeaderError ||
    // "Server Is Not Ready" / "Server Is Busy" arrive from batch appends as UnknownError.
    (err instanceof UnknownError && /Server Is (Not Ready|Busy)/.test(err.message)) ||
    // Cluster discovery gives up with a plain Error.
    (err instanceof Error && err.message.startsWith('Failed to discover'))
  ) {
    return withCause(new UnavailableError(`EventStoreDB unavailable: ${(err as Error).message}`), err);
  }
  return err;
}

export function withCause<E extends Error>(error: E, cause: unknown): E {
  error.cause = cause;
  return error;
}
