import {
  AllStreamResolvedEvent,
  BACKWARDS,
  END,
  EventStoreDBClient,
  NO_STREAM,
  ReadPosition,
  START,
  StreamDeletedError as EsdbStreamDeletedError,
  StreamNotFoundError,
  StreamingRead,
  WrongExpectedVersionError,
  excludeSystemEvents,
} from '@eventstore/db-client';
import { NewEvent, RecordedEvent } from '../event';
import { ConcurrencyError, StreamDeletedError, UnavailableError } from '../errors';
import {
  AppendResult,
  CatchUpSubscription,
  EventStore,
  ExpectedRevision,
  StreamAppend,
  StreamAppendOutcome,
} from '../event-store.port';
import { AnyResolved, isSystem, positionOfResolved, toCommandError, toEsdbExpected, toEventData, toReadPosition, toRecorded, translate } from './esdb-mapping';

const CONCURRENCY = 32;
const SUBSCRIPTION_BATCH = 256;
const READ_ALL_MIN_PAGE = 64;
const HEAD_PAGE = 100;
const PING_TIMEOUT_MS = 5000;
const METADATA_ATTEMPTS = 5;


/**
 * EventStore on EventStoreDB through `@eventstore/db-client` 6.2.1.
 *
 * - The connection's user must be allowed to read `$all` (admin by default): `readAll`, `subscribe`,
 *   `headPosition` and `ping` use it.
 * - Positions are `Number(commit position)`. They stay exact below 2^53 bytes of log.
 * - Positions are turned back into `{ commit, prepare }` with both parts equal. That holds for
 *   every event appended over gRPC (one prepare record per event, implicitly committed). It does not
 *   hold for events written in explicit TCP-client transactions, which this service never writes.
 * - Events read from a stream carry their position only on servers >= 22.6; on older ones
 *   `readStream` may give `position: -1` (`readAll` and `subscribe` always have positions).
 * - `truncateBefore` seals a stream against `no_stream` re-creation only: `$tb` is not a soft
 *   delete, so the server answers `no_stream` with a wrong-expected-version. An append with the
 *   exact revision, `stream_exists` or `any` still succeeds, unlike the embedded adapter, so
 *   command handlers must refuse to act on a purged stream (they see its marker event).
 * - Events truncated with `$tb` stay in `$all` (so in `readAll`/`subscribe`) until a scavenge.
 */
export class EsdbEventStore extends EventStore {
  readonly kind = 'eventstoredb';
  private readonly client: EventStoreDBClient;

  constructor(connectionString: string) {
    super();
    this.client = EventStoreDBClient.connectionString(connectionString);
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  async append(streamId: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const outcome = await this.appendOne({ streamId, events, expectedRevision });
    if (outcome.ok) return { nextExpectedRevision: outcome.nextExpectedRevision, position: outcome.position };
    if (outcome.reason === 'deleted') throw new StreamDeletedError(streamId);
    throw new ConcurrencyError(
      streamId,
      String(expectedRevision),
      outcome.actualRevision === null ? 'no_stream' : String(outcome.actualRevision),
    );
  }

  /**
   * Appends to distinct streams run concurrently (at most 32 in flight); appends to the same
   * stream run one after the other in input order. If the server fails (not a conflict), no
   * further append starts, the ones in flight finish, and the call rejects: some streams may have
   * been written, and a retry with the same events and revisions is idempotent.
   */
  async appendMany(appends: StreamAppend[]): Promise<StreamAppendOutcome[]> {
    const outcomes = new Array<StreamAppendOutcome>(appends.length);
    const byStream = new Map<string, number[]>();
    appends.forEach((a, i) => {
      const list = byStream.get(a.streamId);
      if (list) list.push(i);
      else byStream.set(a.streamId, [i]);
    });
    await forEachLimit([...byStream.values()], CONCURRENCY, async (indexes) => {
      for (const i of indexes) outcomes[i] = await this.appendOne(appends[i]);
    });
    return outcomes;
  }

  private async appendOne({ streamId, events, expectedRevision }: StreamAppend): Promise<StreamAppendOutcome> {
    if (events.length === 0) return this.checkOnly(streamId, expectedRevision);
    const data = events.map(toEventData);
    try {
      const r = await this.client.appendToStream(streamId, data, { expectedRevision: toEsdbExpected(expectedRevision) });
      if (!r.success) {
        // Only with `throwOnAppendFailure=false` in the connection string. The batch-append path
        // of 6.2.1 then reports `BigInt(hasCurrentStreamRevision())` (0n/1n) as the revision, so
        // the actual revision is read back instead.
        return { ok: false, reason: 'conflict', actualRevision: await this.lastRevision(streamId) };
      }
      const nextExpectedRevision = Number(r.nextExpectedRevision);
      // The server acks a write at its last record, so this is the last event's position. It may
      // be absent (e.g. for an idempotent retry); then the event's own position is read back.
      const position = r.position ? Number(r.position.commit) : await this.positionOf(streamId, nextExpectedRevision);
      return { ok: true, nextExpectedRevision, position };
    } catch (e) {
      const err = toCommandError(e);
      if (err instanceof WrongExpectedVersionError) {
        const actual = err.actualVersion;
        return { ok: false, reason: 'conflict', actualRevision: actual === 'no_stream' ? null : Number(actual) };
      }
      if (err instanceof EsdbStreamDeletedError) return { ok: false, reason: 'deleted', actualRevision: null };
      throw translate(err, streamId);
    }
  }

  /** An empty append writes nothing on the server's side either; check the revision here. */
  private async checkOnly(streamId: string, expected: ExpectedRevision): Promise<StreamAppendOutcome> {
    let last: AnyResolved | undefined;
    try {
      [last] = await this.collect(this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }));
    } catch (e) {
      const err = toCommandError(e);
      if (err instanceof EsdbStreamDeletedError) return { ok: false, reason: 'deleted', actualRevision: null };
      if (!(err instanceof StreamNotFoundError)) throw translate(err, streamId);
    }
    const current = last?.event ? Number(last.event.revision) : null;
    const matches =
      expected === 'any' ||
      (expected === 'no_stream' && current === null) ||
      (expected === 'stream_exists' && current !== null) ||
      expected === current;
    if (!matches) return { ok: false, reason: 'conflict', actualRevision: current };
    const position = last?.event ? positionOfResolved(last) : ((await this.headPosition()) ?? 0);
    return { ok: true, nextExpectedRevision: current ?? -1, position };
  }

  private async lastRevision(streamId: string): Promise<number | null> {
    try {
      const [last] = await this.collect(
        this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
      );
      return last?.event ? Number(last.event.revision) : null;
    } catch (e) {
      const err = toCommandError(e);
      if (err instanceof StreamNotFoundError || err instanceof EsdbStreamDeletedError) return null;
      throw translate(err, streamId);
    }
  }

  private async positionOf(streamId: string, revision: number): Promise<number> {
    try {
      const [r] = await this.collect(this.client.readStream(streamId, { fromRevision: BigInt(revision), maxCount: 1 }));
      const p = r?.event ? positionOfResolved(r) : -1;
      if (p >= 0) return p;
    } catch (e) {
      const err = toCommandError(e);
      if (!(err instanceof StreamNotFoundError || err instanceof EsdbStreamDeletedError)) throw translate(err, streamId);
    }
    // The event is no longer readable (truncated since): the head is at or after it.
    return (await this.headPosition()) ?? 0;
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    try {
      const read = await this.collect(this.client.readStream(streamId));
      return read.filter((r) => r.event && !isSystem(r)).map(toRecorded);
    } catch (e) {
      const err = toCommandError(e);
      // Never written or soft-deleted (not found), or tombstoned (deleted): nothing to read.
      if (err instanceof StreamNotFoundError || err instanceof EsdbStreamDeletedError) return [];
      throw translate(err, streamId);
    }
  }

  async readStreams(streamIds: string[]): Promise<Map<string, RecordedEvent[]>> {
    const result = new Map<string, RecordedEvent[]>();
    for (const id of streamIds) result.set(id, []);
    await forEachLimit([...result.keys()], CONCURRENCY, async (id) => {
      result.set(id, await this.readStream(id));
    });
    return result;
  }

  /**
   * `readAll` of 6.2.1 cannot filter on the server and is inclusive of its start position, so the
   * boundary (and anything at or before `after`) is skipped here, system events are dropped, and
   * further pages are read until `maxCount` events are found or the log ends.
   */
  async readAll(after: number | null, maxCount: number): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    let cursor = after;
    while (out.length < maxCount) {
      const request = Math.max(maxCount - out.length + 1, READ_ALL_MIN_PAGE);
      let page: AllStreamResolvedEvent[];
      try {
        page = await this.collect(
          this.client.readAll({ fromPosition: cursor === null ? START : toReadPosition(cursor), maxCount: request }),
        );
      } catch (e) {
        throw translate(e);
      }
      let next = cursor;
      for (const r of page) {
        if (!r.event) continue;
        const p = positionOfResolved(r);
        if (cursor !== null && p <= cursor) continue;
        next = p;
        if (!isSystem(r) && out.length < maxCount) out.push(toRecorded(r));
      }
      if (page.length < request || next === cursor) break;
      cursor = next;
    }
    return out;
  }

  /**
   * Subscription positions are exclusive on the server, and events at or before the last delivered
   * position are skipped as well. The `excludeSystemEvents` filter works on event types only, so
   * events of `$` streams (e.g. `PersistentConfig`) are dropped here. There is no automatic
   * resubscribe: a dropped connection, or the server ending the stream, goes to `onError`.
   */
  subscribe(
    after: number | null,
    handler: (events: RecordedEvent[]) => Promise<void>,
    onError: (error: unknown) => void,
  ): CatchUpSubscription {
    const sub = this.client.subscribeToAll(
      { fromPosition: after === null ? START : toReadPosition(after), filter: excludeSystemEvents() },
      { highWaterMark: SUBSCRIPTION_BATCH },
    );
    // The client re-emits gRPC errors on the subscription even after our iterator has detached;
    // an 'error' event without a listener would crash the process.
    sub.on('error', () => undefined);
    let stopped = false;
    let last = after ?? -1;

    const loop = (async () => {
      let failure: { error: unknown } | null = null;
      try {
        // `for await` pulls one event at a time (back-pressure); events already buffered are
        // taken synchronously with read() so that one handler call gets them all.
        for await (const first of sub as AsyncIterable<AllStreamResolvedEvent>) {
          if (stopped) break;
          const raw: AllStreamResolvedEvent[] = [first];
          while (raw.length < SUBSCRIPTION_BATCH && sub.readableLength > 0) {
            const r = sub.read() as AllStreamResolvedEvent | null;
            if (r === null) break;
            raw.push(r);
          }
          const batch: RecordedEvent[] = [];
          for (const r of raw) {
            if (!r.event || isSystem(r)) continue;
            const e = toRecorded(r);
            if (e.position > last) batch.push(e);
          }
          if (batch.length === 0) continue;
          if (stopped) break;
          try {
            await handler(batch);
          } catch (e) {
            failure = { error: e };
            break;
          }
          last = batch[batch.length - 1].position;
        }
        if (!failure && !stopped) failure = { error: new UnavailableError('EventStoreDB ended the subscription') };
      } catch (e) {
        if (!failure) failure = { error: translate(e) };
      } finally {
        await sub.unsubscribe().catch(() => undefined);
      }
      if (failure && !stopped) onError(failure.error);
    })();

    return {
      stop: async () => {
        stopped = true;
        await sub.unsubscribe().catch(() => undefined);
        sub.destroy();
        await loop;
      },
    };
  }

  async truncateMany(items: { streamId: string; revision: number }[]): Promise<void> {
    await forEachLimit(items, CONCURRENCY, (i) => this.truncateBefore(i.streamId, i.revision));
  }

  /**
   * Sets `$tb` on the stream's metadata, keeping every other key (system or custom). The
   * metastream is read directly: `getStreamMetadata().metastreamRevision` is a commit position, not
   * a revision, so it cannot guard the write. `$tb` never moves backwards: lowering it would make
   * truncated events readable again until a scavenge.
   */
  async truncateBefore(streamId: string, revision: number): Promise<void> {
    // setStreamMetadata rejects anything but a JS integer for truncateBefore (not bigint, START, END).
    if (!Number.isSafeInteger(revision) || revision < 0) {
      throw new TypeError(`truncateBefore: revision must be a non-negative integer, got ${revision}`);
    }
    for (let attempt = 1; ; attempt++) {
      const meta = await this.readMetadata(streamId);
      if (meta === 'deleted') return;
      const { $tb: tb, ...rest } = meta.data;
      if (typeof tb === 'number' && tb >= revision) return;
      try {
        // Raw keys (`$maxAge`, `$acl`, custom ones) pass through setStreamMetadata unchanged.
        await this.client.setStreamMetadata(
          streamId,
          { ...rest, truncateBefore: revision },
          { expectedRevision: meta.revision ?? NO_STREAM },
        );
        return;
      } catch (e) {
        const err = toCommandError(e);
        if (err instanceof WrongExpectedVersionError && attempt < METADATA_ATTEMPTS) continue;
        if (err instanceof EsdbStreamDeletedError) return;
        throw translate(err, streamId);
      }
    }
  }

  private async readMetadata(
    streamId: string,
  ): Promise<{ revision: bigint | null; data: Record<string, unknown> } | 'deleted'> {
    try {
      const [r] = await this.collect(
        this.client.readStream(`$$${streamId}`, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
      );
      if (!r?.event) return { revision: null, data: {} };
      const d = r.event.data;
      const data = d !== null && typeof d === 'object' && !Array.isArray(d) && !(d instanceof Uint8Array) ? d : {};
      return { revision: r.event.revision, data: { ...(data as Record<string, unknown>) } };
    } catch (e) {
      const err = toCommandError(e);
      if (err instanceof StreamNotFoundError) return { revision: null, data: {} };
      if (err instanceof EsdbStreamDeletedError) return 'deleted';
      throw translate(err, streamId);
    }
  }

  /** The tail of `$all` is often system events only (`$statsCollected` every 30 s), so page back. */
  async headPosition(): Promise<number | null> {
    let from: ReadPosition = END;
    let bound: number | null = null;
    for (;;) {
      let page: AllStreamResolvedEvent[];
      try {
        page = await this.collect(this.client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: HEAD_PAGE }));
      } catch (e) {
        throw translate(e);
      }
      let lowest: number | null = null;
      for (const r of page) {
        if (!r.event) continue;
        const p = positionOfResolved(r);
        if (bound !== null && p >= bound) continue;
        if (!isSystem(r)) return p;
        lowest = p;
      }
      if (page.length < HEAD_PAGE || lowest === null) return null;
      from = toReadPosition(lowest);
      bound = lowest;
    }
  }

  /** Reads have no client deadline in 6.2.1 (a per-call `deadline` is overridden), hence the timer. */
  async ping(): Promise<void> {
    const read = this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        read.cancel().catch(() => undefined);
        reject(new UnavailableError(`EventStoreDB did not answer within ${PING_TIMEOUT_MS} ms`));
      }, PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.collect(read), timeout]);
    } catch (e) {
      throw translate(e);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drains a read fully; breaking out early would leave the gRPC call open. */
  private async collect<T>(read: StreamingRead<T>): Promise<T[]> {
    read.on('error', () => undefined); // see subscribe(): late errors must not crash the process
    const out: T[] = [];
    for await (const r of read) out.push(r);
    return out;
  }
}

async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        failure ??= { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
}
