'use strict';
// Scenario 4: our SQLite event store against the peer (@event-driven-io/emmett-sqlite) and the
// ceiling (bare better-sqlite3 inserts of the same rows in one transaction), same machine, same
// run, same events. Each contender writes a fresh file: single-event appends to many streams,
// then batches of events to new streams, then full reads of the global log.
// Every contender runs in a fresh child process (event-store-worker.js) on the same workload file.
const fs = require('node:fs');
const path = require('node:path');
const { fork } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { tempDir, removeDir } = require('../support');
const { summarize } = require('../stats');
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

/** Measures one contender in a fresh child process on a fresh directory. */
function inChild(contender, workloadFile, reads) {
  const dir = tempDir(`event-store-${contender}`);
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'event-store-worker.js'), [contender, workloadFile, String(reads), dir], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let report = null;
    child.on('message', (m) => (report = m));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      removeDir(dir);
      if (report && report.ok) resolve(report.result);
      else reject(new Error(report ? report.error : `worker exited with ${signal || code} and no report`));
    });
  });
}

/** The peer's driver fails now and then (statements it does not await race its transactions): up to 3 attempts. */
async function withRetries(label, fn, log) {
  let last;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      log(`  ${label}: attempt ${attempt} failed: ${String(e && e.message ? e.message : e).split('\n')[0]}`);
    }
  }
  throw last;
}

async function run({ plan, log }) {
  const p = plan.eventStore;
  const peerInfo = loadPeer(log);
  if (!peerInfo.available) log(`  peer unavailable: ${peerInfo.reason}`);
  const w = workload(p);
  const files = tempDir('event-store-workload');
  const workloadFile = path.join(files, 'workload.json');
  fs.writeFileSync(workloadFile, JSON.stringify(w));
  const runs = { ours: [], peer: [], ceiling: [], bareTx: [] };
  let peerError = peerInfo.available ? null : peerInfo.reason;
  let peerSynchronous = null;
  let peerFailures = 0;
  try {
    for (let r = 0; r < p.runs; r++) {
      runs.ours.push(await inChild('ours', workloadFile, p.reads));
      runs.ceiling.push(await inChild('ceiling', workloadFile, p.reads));
      runs.bareTx.push(await inChild('bareTx', workloadFile, p.reads));
      if (!peerError) {
        try {
          const pr = await withRetries(`peer run ${r + 1}`, () => inChild('peer', workloadFile, p.reads).catch((e) => {
            peerFailures++;
            throw e;
          }), log);
          peerSynchronous = pr.synchronous;
          runs.peer.push(pr);
        } catch (e) {
          peerError = `failed 3 times: ${String(e && e.message ? e.message : e).split('\n')[0]}`;
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
      const smallFile = path.join(files, 'workload-default-pool.json');
      fs.writeFileSync(smallFile, JSON.stringify({ singles: w.singles.slice(0, p.peerDefaultPoolSingles), batches: [], total: p.peerDefaultPoolSingles }));
      try {
        defaultPool = await withRetries('peer (default pool)', () => inChild('peerDefaultPool', smallFile, 1), log);
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
      peer: peerError ? { unavailable: peerError } : { ...sum('peer'), versions: peerInfo.versions, synchronous: peerSynchronous, failedAttempts: peerFailures },
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
  } finally {
    removeDir(files);
  }
}

module.exports = { id: 'eventStore', title: '4. Event store: ours, the peer, the ceiling', run };
