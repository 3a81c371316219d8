'use strict';
// Child process of scenario 4: measures one contender (ours, ceiling, bareTx, peer, peerDefaultPool)
// on the workload file the parent wrote, in a fresh process of its own, so every contender starts
// alike and a crash of the peer's driver cannot take the bench down with it.
process.env.UV_THREADPOOL_SIZE = '16';
const fs = require('node:fs');
const path = require('node:path');
const { service } = require('../support');
const { since } = require('../stats');
const { requirePeer } = require('../peer');

const READ_PAGE = 1000;

/** Times `append` over the singles, then the batches, then `readAll` (returning the count) `reads` times. */
/** The figures of one contender's run of workload `w`. */
function rates(w, singlesMs, batchesMs, read, readMs) {
  const batchEvents = w.batches.reduce((n, b) => n + b.events.length, 0);
  return {
    singlesPerSecond: w.singles.length / (singlesMs / 1000),
    batchEventsPerSecond: batchEvents / (batchesMs / 1000),
    batchesPerSecond: w.batches.length / (batchesMs / 1000),
    readEventsPerSecond: read / (readMs / 1000),
  };
}

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
  return rates(w, singlesMs, batchesMs, read, readMs);
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
    return rates(w, singlesMs, batchesMs, read, readMs);
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
 * The peer's connection switches the file to WAL with a statement nobody awaits; when that
 * statement overlaps another one (its schema migration's transaction, say), SQLite refuses the
 * switch ("cannot change into wal mode from within a transaction") and the driver throws from an
 * event handler, killing the process. So the file is created in WAL mode beforehand (the mode
 * the peer asks for, and persistent in the file): the peer's switch is then a no-op.
 */
function createWalFile(fileName) {
  const Database = require(require.resolve('better-sqlite3', { paths: [path.resolve(__dirname, '..', '..')] }));
  const db = new Database(fileName);
  db.pragma('journal_mode = WAL');
  db.close();
}

/**
 * Opens the peer's connection the way its typings offer for a file database shared by the
 * store and the reader (`connectionOptions: { singleton: true, connection }`).
 */
async function peerConnection(emmett, fileName) {
  createWalFile(fileName);
  const connection = emmett.sqliteConnection({ fileName });
  await sleep(20); // let its own PRAGMA finish before anything else runs on the connection
  const mode = await connection.querySingle('PRAGMA journal_mode');
  const sync = await connection.querySingle('PRAGMA synchronous');
  return { connection, synchronous: sync ? sync.synchronous : null, journalMode: mode ? mode.journal_mode : null };
}

async function peer(emmett, w, reads, dir) {
  const fileName = path.join(dir, 'peer.db');
  const { connection, synchronous, journalMode } = await peerConnection(emmett, fileName);
  if (String(journalMode).toLowerCase() !== 'wal') throw new Error(`peer database in journal mode ${journalMode}, expected wal`);
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
  createWalFile(fileName);
  const store = emmett.getSQLiteEventStore({ fileName });
  await store.schema.migrate();
  await sleep(50);
  const t = performance.now();
  for (const { streamId, events } of w.singles) await store.appendToStream(streamId, events.map((e) => ({ type: e.type, data: e.data, metadata: { ...e.metadata, messageId: e.id } })));
  return { singlesPerSecond: w.singles.length / (since(t) / 1000) };
}


const CONTENDERS = {
  ours: (w, reads, dir) => ours(w, reads, dir),
  ceiling: (w, reads, dir) => ceiling(w, reads, dir),
  bareTx: (w, _reads, dir) => bareTransactionPerAppend(w, dir),
  peer: (w, reads, dir) => peer(requirePeer(), w, reads, dir),
  peerDefaultPool: (w, _reads, dir) => peerDefaultPool(requirePeer(), w, dir),
};

/** A few appends and a read on a throw-away file first, so no contender is measured cold. */
function warmupOf(w) {
  const singles = w.singles.slice(0, Math.min(200, w.singles.length)).map((a) => ({ ...a, streamId: `warmup-${a.streamId}` }));
  const batches = w.batches.slice(0, Math.min(2, w.batches.length)).map((a) => ({ ...a, streamId: `warmup-${a.streamId}` }));
  return { singles, batches, total: singles.length + batches.reduce((n, b) => n + b.events.length, 0) };
}

async function main() {
  const [contender, workloadFile, reads, dir] = process.argv.slice(2);
  const fn = CONTENDERS[contender];
  if (!fn) throw new Error(`unknown contender ${contender}`);
  const w = JSON.parse(fs.readFileSync(workloadFile, 'utf8'));
  const warmDir = path.join(dir, 'warmup');
  const mainDir = path.join(dir, 'measured');
  fs.mkdirSync(warmDir, { recursive: true });
  fs.mkdirSync(mainDir, { recursive: true });
  if (contender !== 'peerDefaultPool') await fn(warmupOf(w), 1, warmDir);
  const result = await fn(w, Number(reads), mainDir);
  process.send({ ok: true, result });
}

const fail = (e) => {
  if (process.send) process.send({ ok: false, error: String(e && e.message ? e.message : e).split('\n')[0] });
  process.exit(1);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
main().then(() => process.exit(0), fail);
