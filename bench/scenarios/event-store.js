'use strict';
// Scenario 4: our SQLite event store against the peer (@event-driven-io/emmett-sqlite) and the
// ceiling (bare better-sqlite3 inserts of the same rows in one transaction), same machine, same
// run, same events. Each contender writes a fresh file: single-event appends to many streams,
// then batches of events to new streams, then full reads of the global log.
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { service, tempDir, removeDir } = require('../support');
const { summarize, since } = require('../stats');
const { loadPeer } = require('../peer');

const READ_PAGE = 1000;

/** The workload: realistic instance events with the service's metadata, identical for everyone. */
function workload(p) {
  const meta = (i) => ({ $correlationId: `bench-${i}`, $causationId: `bench-${i}`, actor: 'system:bench', schemaVersion: 1 });
  const created = (id, i) => ({
    id: randomUUID(),
    type: 'WorkflowInstanceCreated',
    data: { instanceId: id, definitionId: `demo-def-${(i % 4) + 1}`, name: `Invoice approval #${i}`, correlationId: `cust-${i % 997}`, createdAt: new Date(1_700_000_000_000 + i * 1000).toISOString() },
    metadata: meta(i),
  });
  const follow = (id, i, k) =>
    k % 2
      ? { id: randomUUID(), type: 'BlobAttached', data: { instanceId: id, name: `blob-${k}.json`, size: 300, contentType: 'application/json', sha256: 'a'.repeat(64), attachedAt: new Date(1_700_000_000_000 + i * 1000 + k).toISOString() }, metadata: meta(i) }
      : { id: randomUUID(), type: 'BookmarkCreated', data: { instanceId: id, bookmarkId: `${id}-bm-${k}`, name: `approval-${k}`, createdAt: new Date(1_700_000_000_000 + i * 1000 + k).toISOString() }, metadata: meta(i) };
  const singles = [];
  for (let i = 0; i < p.singles; i++) {
    const id = `single-${i}`;
    singles.push({ streamId: `workflowInstance-${id}`, events: [created(id, i)] });
  }
  const batches = [];
  for (let j = 0; j < p.batches; j++) {
    const id = `batch-${j}`;
    const events = [created(id, j)];
    for (let k = 1; k < p.batchSize; k++) events.push(follow(id, j, k));
    batches.push({ streamId: `workflowInstance-${id}`, events });
  }
  return { singles, batches, total: p.singles + p.batches * p.batchSize };
}

/** Times `append` over the singles, then the batches, then `readAll` (returning the count) `reads` times. */
async function measure(w, reads, { append, readAll }) {
  let t = performance.now();
  for (const a of w.singles) await append(a);
  const singlesMs = since(t);
  t = performance.now();
  for (const a of w.batches) await append(a);
  const batchesMs = since(t);
  let read = 0;
  t = performance.now();
  for (let r = 0; r < reads; r++) read += await readAll();
  const readMs = since(t);
  if (read !== w.total * reads) throw new Error(`read ${read / reads} events of the global log, expected ${w.total}`);
  const batchEvents = w.batches.reduce((n, b) => n + b.events.length, 0);
  return {
    singlesPerSecond: w.singles.length / (singlesMs / 1000),
    batchEventsPerSecond: batchEvents / (batchesMs / 1000),
    batchesPerSecond: w.batches.length / (batchesMs / 1000),
    readEventsPerSecond: read / (readMs / 1000),
  };
}

async function ours(w, reads, dir) {
  const { SqliteConnection } = service('shared/sqlite/sqlite-database');
  const { SqliteEventStore } = service('shared/event-sourcing/adapters/sqlite-event-store');
  const conn = new SqliteConnection(path.join(dir, 'ours.db'));
  try {
    const store = new SqliteEventStore(conn);
    return await measure(w, reads, {
      append: ({ streamId, events }) => store.append(streamId, events, 'no_stream'),
      readAll: async () => {
        let after = null;
        let n = 0;
        for (;;) {
          const page = await store.readAll(after, READ_PAGE);
          if (page.length === 0) return n;
          n += page.length;
          after = page[page.length - 1].position;
        }
      },
    });
  } finally {
    conn.close();
  }
}

/** Bare better-sqlite3 on the same connection settings and table: every append in one transaction. */
async function ceiling(w, reads, dir) {
  const { SqliteConnection } = service('shared/sqlite/sqlite-database');
  const { SqliteEventStore } = service('shared/event-sourcing/adapters/sqlite-event-store');
  const conn = new SqliteConnection(path.join(dir, 'ceiling.db'));
  try {
    new SqliteEventStore(conn); // creates the same es_events table (and its unique index); nothing else is used
    const db = conn.db;
    const insert = db.prepare('INSERT INTO es_events (event_id, stream_id, revision, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insertAll = (appends) =>
      db.transaction(() => {
        const now = new Date().toISOString();
        for (const { streamId, events } of appends) {
          let rev = 0;
          for (const e of events) insert.run(e.id, streamId, rev++, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), now);
        }
      }).immediate();
    const select = db.prepare('SELECT * FROM es_events ORDER BY global_position');
    // Same measurement, but "append" of each part is one transaction over all of its rows.
    let t = performance.now();
    insertAll(w.singles);
    const singlesMs = since(t);
    t = performance.now();
    insertAll(w.batches);
    const batchesMs = since(t);
    let read = 0;
    t = performance.now();
    for (let r = 0; r < reads; r++) {
      const rows = select.all().map((r) => ({ id: r.event_id, streamId: r.stream_id, revision: r.revision, position: r.global_position, type: r.type, data: JSON.parse(r.data), metadata: JSON.parse(r.metadata), createdAt: r.created_at }));
      read += rows.length;
    }
    const readMs = since(t);
    if (read !== w.total * reads) throw new Error(`ceiling read ${read / reads} events, expected ${w.total}`);
    const batchEvents = w.batches.reduce((n, b) => n + b.events.length, 0);
    return {
      singlesPerSecond: w.singles.length / (singlesMs / 1000),
      batchEventsPerSecond: batchEvents / (batchesMs / 1000),
      batchesPerSecond: w.batches.length / (batchesMs / 1000),
      readEventsPerSecond: read / (readMs / 1000),
    };
  } finally {
    conn.close();
  }
}

/**
 * Not the ceiling, an explanation of the gap to it: the same bare inserts with one transaction
 * per append, i.e. one WAL fsync per append, the durability every store here gives an append.
 */
async function bareTransactionPerAppend(w, dir) {
  const { SqliteConnection } = service('shared/sqlite/sqlite-database');
  const { SqliteEventStore } = service('shared/event-sourcing/adapters/sqlite-event-store');
  const conn = new SqliteConnection(path.join(dir, 'bare-tx.db'));
  try {
    new SqliteEventStore(conn);
    const insert = conn.db.prepare('INSERT INTO es_events (event_id, stream_id, revision, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const appendOne = conn.db.transaction(({ streamId, events }) => {
      const now = new Date().toISOString();
      let rev = 0;
      for (const e of events) insert.run(e.id, streamId, rev++, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), now);
    });
    let t = performance.now();
    for (const a of w.singles) appendOne.immediate(a);
    const singlesMs = since(t);
    t = performance.now();
    for (const a of w.batches) appendOne.immediate(a);
    const batchesMs = since(t);
    const batchEvents = w.batches.reduce((n, b) => n + b.events.length, 0);
    return { singlesPerSecond: w.singles.length / (singlesMs / 1000), batchEventsPerSecond: batchEvents / (batchesMs / 1000) };
  } finally {
    conn.close();
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Opens the peer's connection the way its typings offer for a file database shared by the
 * store and the reader (`connectionOptions: { singleton: true, connection }`). The connection
 * sets WAL with a statement nobody awaits; wait until it took effect, or the first
 * transaction can race it and fail with SQLITE_BUSY.
 */
async function peerConnection(emmett, fileName) {
  const connection = emmett.sqliteConnection({ fileName });
  for (let i = 0; i < 200; i++) {
    const r = await connection.querySingle('PRAGMA journal_mode');
    if (r && String(r.journal_mode).toLowerCase() === 'wal') break;
    await sleep(5);
  }
  const sync = await connection.querySingle('PRAGMA synchronous');
  return { connection, synchronous: sync ? sync.synchronous : null };
}

async function peer(emmett, w, reads, dir) {
  const fileName = path.join(dir, 'peer.db');
  const { connection, synchronous } = await peerConnection(emmett, fileName);
  try {
    const store = emmett.getSQLiteEventStore({ fileName, connectionOptions: { singleton: true, connection } });
    await store.schema.migrate();
    const result = await measure(w, reads, {
      append: ({ streamId, events }) =>
        store.appendToStream(
          streamId,
          events.map((e) => ({ type: e.type, data: e.data, metadata: { ...e.metadata, messageId: e.id } })),
        ),
      readAll: async () => {
        let after = 0n;
        let n = 0;
        for (;;) {
          const batch = await emmett.readMessagesBatch(connection, { after, batchSize: READ_PAGE });
          n += batch.messages.length;
          if (batch.messages.length === 0 || !batch.areEventsLeft) return n;
          after = batch.currentGlobalPosition;
        }
      },
    });
    return { ...result, synchronous };
  } finally {
    connection.close();
  }
}

/** The peer as its quick start has it (`getSQLiteEventStore({ fileName })`): a new connection per call. */
async function peerDefaultPool(emmett, w, dir) {
  const fileName = path.join(dir, 'peer-default.db');
  const store = emmett.getSQLiteEventStore({ fileName });
  await store.schema.migrate();
  await sleep(50);
  const t = performance.now();
  for (const { streamId, events } of w.singles) await store.appendToStream(streamId, events.map((e) => ({ type: e.type, data: e.data, metadata: { ...e.metadata, messageId: e.id } })));
  return { singlesPerSecond: w.singles.length / (since(t) / 1000) };
}

/** Runs `fn` on a fresh directory, retrying the peer's sporadic SQLITE_BUSY races up to 3 times. */
async function withRetries(label, fn, log) {
  let last;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const dir = tempDir(label);
    try {
      return await fn(dir);
    } catch (e) {
      last = e;
      log(`  ${label}: attempt ${attempt} failed: ${String(e && e.message ? e.message : e).split('\n')[0]}`);
    } finally {
      removeDir(dir);
    }
  }
  throw last;
}

async function run({ plan, log }) {
  const p = plan.eventStore;
  const peerInfo = loadPeer(log);
  if (!peerInfo.available) log(`  peer unavailable: ${peerInfo.reason}`);
  const w = workload(p);
  const runs = { ours: [], peer: [], ceiling: [], bareTx: [] };
  let peerError = peerInfo.available ? null : peerInfo.reason;
  let peerSynchronous = null;
  for (let r = 0; r < p.runs; r++) {
    const dir = tempDir(`event-store-r${r}`);
    try {
      runs.ours.push(await ours(w, p.reads, dir));
      runs.ceiling.push(await ceiling(w, p.reads, dir));
      runs.bareTx.push(await bareTransactionPerAppend(w, dir));
    } finally {
      removeDir(dir);
    }
    if (!peerError) {
      try {
        const pr = await withRetries(`peer-r${r}`, (d) => peer(peerInfo.emmett, w, p.reads, d), log);
        peerSynchronous = pr.synchronous;
        runs.peer.push(pr);
      } catch (e) {
        peerError = `failed: ${String(e && e.message ? e.message : e).split('\n')[0]}`;
        log(`  peer ${peerError}`);
      }
    }
    const last = (k) => runs[k][runs[k].length - 1];
    log(
      `  run ${r + 1}: single appends/s ours ${Math.round(last('ours').singlesPerSecond)}, peer ${runs.peer.length > r ? Math.round(last('peer').singlesPerSecond) : 'n/a'}, ceiling ${Math.round(last('ceiling').singlesPerSecond)}`,
    );
  }
  let defaultPool = null;
  if (!peerError && p.peerDefaultPoolSingles > 0) {
    try {
      const small = workload({ singles: p.peerDefaultPoolSingles, batches: 0, batchSize: 0 });
      defaultPool = await withRetries('peer-default-pool', (d) => peerDefaultPool(peerInfo.emmett, small, d), log);
      defaultPool.appends = p.peerDefaultPoolSingles;
    } catch (e) {
      defaultPool = { error: String(e && e.message ? e.message : e).split('\n')[0] };
    }
  }
  const metrics = ['singlesPerSecond', 'batchEventsPerSecond', 'readEventsPerSecond'];
  const sum = (k) => (runs[k].length ? Object.fromEntries(metrics.map((m) => [m, summarize(runs[k].map((x) => x[m]))])) : null);
  const result = {
    workload: { singles: p.singles, batches: p.batches, batchSize: p.batchSize, readsOfGlobalLog: p.reads, readPage: READ_PAGE, totalEvents: w.total },
    ours: sum('ours'),
    ceiling: sum('ceiling'),
    bareTransactionPerAppend: {
      singlesPerSecond: summarize(runs.bareTx.map((x) => x.singlesPerSecond)),
      batchEventsPerSecond: summarize(runs.bareTx.map((x) => x.batchEventsPerSecond)),
    },
    peer: peerError ? { unavailable: peerError } : { ...sum('peer'), versions: peerInfo.versions, synchronous: peerSynchronous },
    peerDefaultPool: defaultPool,
    peerInstallSeconds: peerInfo.installSeconds,
    ratios: {},
  };
  for (const m of metrics) {
    result.ratios[m] = {
      oursOverPeer: peerError ? null : result.ours[m].median / result.peer[m].median,
      oursOverCeiling: result.ours[m].median / result.ceiling[m].median,
    };
  }
  return result;
}

module.exports = { id: 'eventStore', title: '4. Event store: ours, the peer, the ceiling', run };
