import { EventEmitter } from 'node:events';
import { Db, SqliteConnection, immediate } from '../../sqlite/sqlite-database';
import { NewEvent, RecordedEvent } from '../event';
import { ConcurrencyError, StreamDeletedError } from '../errors';
import {
  AppendResult,
  CatchUpSubscription,
  EventStore,
  ExpectedRevision,
  StreamAppend,
  StreamAppendOutcome,
} from '../event-store.port';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS es_streams (
  stream_id  TEXT PRIMARY KEY,
  revision   INTEGER NOT NULL,
  sealed     INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS es_events (
  global_position INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id   TEXT NOT NULL,
  stream_id  TEXT NOT NULL,
  revision   INTEGER NOT NULL,
  type       TEXT NOT NULL,
  data       TEXT NOT NULL,
  metadata   TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (stream_id, revision)
);`;

interface Row {
  global_position: number;
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  created_at: string;
}

const toRecorded = (r: Row): RecordedEvent => ({
  id: r.event_id,
  streamId: r.stream_id,
  revision: r.revision,
  position: r.global_position,
  type: r.type,
  data: JSON.parse(r.data),
  metadata: JSON.parse(r.metadata),
  createdAt: r.created_at,
});

const POLL_MS = 200;
const CHUNK = 500;
/** Events per catch-up batch: one read-model transaction (and one fsync) each. */
const SUBSCRIPTION_BATCH = 2000;

/**
 * EventStore on SQLite. Global positions come from an AUTOINCREMENT key, so positions are never
 * reused after a purge deletes rows (a plain rowid would hand out a deleted position again and a
 * poller would skip the new event). One writer at a time assigns positions inside the commit,
 * so readers never see a gap that fills later.
 */
export class SqliteEventStore extends EventStore {
  readonly kind = 'sqlite';
  private readonly db: Db;
  private readonly appended = new EventEmitter();
  private readonly q;

  constructor(conn: SqliteConnection) {
    super();
    this.db = conn.db;
    this.db.exec(SCHEMA);
    this.appended.setMaxListeners(0);
    this.q = {
      stream: this.db.prepare<[string], { revision: number; sealed: number }>(
        'SELECT revision, sealed FROM es_streams WHERE stream_id = ?',
      ),
      range: this.db.prepare<[string, number, number], { event_id: string; global_position: number }>(
        'SELECT event_id, global_position FROM es_events WHERE stream_id = ? AND revision BETWEEN ? AND ? ORDER BY revision',
      ),
      insStream: this.db.prepare('INSERT INTO es_streams (stream_id, revision, updated_at) VALUES (?, ?, ?)'),
      updStream: this.db.prepare('UPDATE es_streams SET revision = ?, updated_at = ? WHERE stream_id = ?'),
      seal: this.db.prepare('UPDATE es_streams SET sealed = 1, updated_at = ? WHERE stream_id = ?'),
      insEvent: this.db.prepare(
        'INSERT INTO es_events (event_id, stream_id, revision, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      readStream: this.db.prepare<[string], Row>('SELECT * FROM es_events WHERE stream_id = ? ORDER BY revision'),
      readAll: this.db.prepare<[number, number], Row>(
        'SELECT * FROM es_events WHERE global_position > ? ORDER BY global_position LIMIT ?',
      ),
      truncate: this.db.prepare('DELETE FROM es_events WHERE stream_id = ? AND revision < ?'),
      head: this.db.prepare<[], { p: number | null }>('SELECT MAX(global_position) AS p FROM es_events'),
    };
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const outcome = immediate(this.db, () => this.appendOne({ streamId, events, expectedRevision: expected }));
    this.notify();
    if (outcome.ok) return { nextExpectedRevision: outcome.nextExpectedRevision, position: outcome.position };
    if (outcome.reason === 'deleted') throw new StreamDeletedError(streamId);
    throw new ConcurrencyError(streamId, String(expected), outcome.actualRevision === null ? 'no_stream' : String(outcome.actualRevision));
  }

  async appendMany(appends: StreamAppend[]): Promise<StreamAppendOutcome[]> {
    const outcomes = immediate(this.db, () => appends.map((a) => this.appendOne(a)));
    this.notify();
    return outcomes;
  }

  /** One stream's append; runs inside the caller's transaction. */
  private appendOne({ streamId, events, expectedRevision }: StreamAppend): StreamAppendOutcome {
    const s = this.q.stream.get(streamId);
    const current = s ? s.revision : -1;
    const retry = this.retryOf(streamId, events, expectedRevision, current);
    if (retry) return retry;
    if (s?.sealed) return { ok: false, reason: 'deleted', actualRevision: current };
    const matches =
      expectedRevision === 'any' ||
      (expectedRevision === 'no_stream' && !s) ||
      (expectedRevision === 'stream_exists' && !!s) ||
      expectedRevision === current;
    if (!matches) return { ok: false, reason: 'conflict', actualRevision: s ? current : null };
    if (events.length === 0) return { ok: true, nextExpectedRevision: current, position: this.headSync() ?? 0 };
    const now = new Date().toISOString();
    const last = current + events.length;
    if (s) this.q.updStream.run(last, now, streamId);
    else this.q.insStream.run(streamId, last, now);
    let rev = current;
    let position = 0;
    for (const e of events) {
      position = Number(this.q.insEvent.run(e.id, streamId, ++rev, e.type, JSON.stringify(e.data ?? null), JSON.stringify(e.metadata), now).lastInsertRowid);
    }
    return { ok: true, nextExpectedRevision: last, position };
  }

  /**
   * Idempotency, per stream as in EventStoreDB: the append is a retry when the same ids already
   * stand, in order, where it would have landed (after the expected revision; at the tail for
   * `any`/`stream_exists`). Then it succeeds again and writes nothing.
   */
  private retryOf(streamId: string, events: NewEvent[], expected: ExpectedRevision, current: number): StreamAppendOutcome | null {
    if (events.length === 0 || current < 0) return null;
    const from = typeof expected === 'number' ? expected + 1 : expected === 'no_stream' ? 0 : current - events.length + 1;
    const to = from + events.length - 1;
    if (from < 0 || to > current) return null;
    const rows = this.q.range.all(streamId, from, to);
    if (rows.length !== events.length || rows.some((r, i) => r.event_id !== events[i].id)) return null;
    return { ok: true, nextExpectedRevision: to, position: rows[rows.length - 1].global_position };
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    return this.q.readStream.all(streamId).map(toRecorded);
  }

  async readStreams(streamIds: string[]): Promise<Map<string, RecordedEvent[]>> {
    const result = new Map<string, RecordedEvent[]>();
    for (const id of streamIds) result.set(id, []);
    streamIds = [...result.keys()];
    for (let i = 0; i < streamIds.length; i += CHUNK) {
      const chunk = streamIds.slice(i, i + CHUNK);
      const rows = this.db
        .prepare<string[], Row>(
          `SELECT * FROM es_events WHERE stream_id IN (${chunk.map(() => '?').join(',')}) ORDER BY stream_id, revision`,
        )
        .all(...chunk);
      for (const r of rows) result.get(r.stream_id)!.push(toRecorded(r));
    }
    return result;
  }

  async readAll(after: number | null, maxCount: number): Promise<RecordedEvent[]> {
    return this.q.readAll.all(after ?? 0, maxCount).map(toRecorded);
  }

  subscribe(
    after: number | null,
    handler: (events: RecordedEvent[]) => Promise<void>,
    onError: (error: unknown) => void,
  ): CatchUpSubscription {
    let position = after ?? 0;
    let stopped = false;
    let wake: (() => void) | null = null;
    const onAppend = () => wake?.();
    this.appended.on('appended', onAppend);
    const loop = (async () => {
      while (!stopped) {
        const batch = this.q.readAll.all(position, SUBSCRIPTION_BATCH).map(toRecorded);
        if (batch.length > 0) {
          await handler(batch);
          position = batch[batch.length - 1].position;
          continue;
        }
        // Wait for a local append, or poll for appends by other processes sharing the file.
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, POLL_MS);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = null;
      }
    })().catch((e) => {
      if (!stopped) onError(e);
    });
    return {
      stop: async () => {
        stopped = true;
        this.appended.off('appended', onAppend);
        wake?.();
        await loop;
      },
    };
  }

  async truncateBefore(streamId: string, revision: number): Promise<void> {
    immediate(this.db, () => {
      this.q.truncate.run(streamId, revision);
      this.q.seal.run(new Date().toISOString(), streamId);
    });
  }

  async truncateMany(items: { streamId: string; revision: number }[]): Promise<void> {
    const now = new Date().toISOString();
    immediate(this.db, () => {
      for (const { streamId, revision } of items) {
        this.q.truncate.run(streamId, revision);
        this.q.seal.run(now, streamId);
      }
    });
  }

  async headPosition(): Promise<number | null> {
    return this.headSync();
  }

  private headSync(): number | null {
    return this.q.head.get()!.p;
  }

  /**
   * Can we write? Takes and drops the write lock without waiting for it (busy_timeout 0), a few
   * times 50 ms apart so a short commit by the CLI is not reported as an outage. In WAL mode a
   * plain read would answer while another process holds the file locked for writing.
   */
  async ping(): Promise<void> {
    for (let attempt = 1; !this.db.inTransaction; attempt++) {
      const timeout = this.db.pragma('busy_timeout', { simple: true }) as number;
      try {
        this.db.pragma('busy_timeout = 0');
        this.db.exec('BEGIN IMMEDIATE; ROLLBACK');
        return;
      } catch (e) {
        if (attempt >= 3) throw e;
      } finally {
        this.db.pragma(`busy_timeout = ${timeout}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private notify() {
    this.appended.emit('appended');
  }
}
