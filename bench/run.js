'use strict';
process.env.UV_THREADPOOL_SIZE = '16'; // as main.ts: blob deletes and fsyncs run on libuv's pool
// Benchmarks (issue 7): `npm run bench` (full) or `npm run bench -- --quick` (smoke run).
// Options: --quick, --only=softDelete,purge,queries,eventStore,rebuild, --cpu-prof=<dir> (purge worker),
// --report=<results.json> (no run: print the table and rewrite docs/benchmarks.md from a full run's file).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const started = performance.now();
const args = process.argv.slice(2);
const flag = (name) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const value = (name) => {
  const a = flag(name);
  return a && a.includes('=') ? a.slice(a.indexOf('=') + 1) : null;
};
const unknown = args.filter((a) => !/^--(quick|only|cpu-prof|report)(=|$)/.test(a));
if (unknown.length) {
  process.stderr.write(`bench: unknown option ${unknown.join(' ')} (use --quick, --only=<scenario,...>, --cpu-prof=<dir>, --report=<results.json>)\n`);
  process.exit(2);
}
const quick = !!flag('quick');
const only = value('only') ? value('only').split(',') : null;
const cpuProf = flag('cpu-prof') ? path.resolve(value('cpu-prof') || 'bench/profiles') : null;

const log = (msg) => process.stderr.write(`${msg}\n`);

/** Sizes and run counts. Full: the sizes; quick: small N and one run, under a minute. */
const PLANS = {
  full: {
    softDelete: {
      sizes: [1000, 10000, 100000],
      warmup: 200,
      // One cascade run at 100,000: see PLAN_NOTES.
      runs: { 1000: { ours: 5, cascade: 5 }, 10000: { ours: 3, cascade: 3 }, 100000: { ours: 3, cascade: 1 } },
    },
    purge: { sizes: [10000, 100000], runs: { 10000: 3, 100000: 3 } },
    queries: { instances: 100000, fractions: [0, 0.5, 0.9], warmup: 20, requests: 200, rounds: 3 },
    eventStore: { singles: 10000, batches: 100, batchSize: 100, reads: 3, runs: 3, peerDefaultPoolSingles: 1000 },
    rebuild: { events: 1000000, runs: 3 },
  },
  quick: {
    softDelete: { sizes: [100, 1000], warmup: 50, runs: { 100: { ours: 1, cascade: 1 }, 1000: { ours: 1, cascade: 1 } } },
    purge: { sizes: [100, 1000], runs: { 100: 1, 1000: 1 } },
    queries: { instances: 2000, fractions: [0, 0.5, 0.9], warmup: 10, requests: 50, rounds: 1 },
    eventStore: { singles: 1000, batches: 10, batchSize: 100, reads: 1, runs: 1, peerDefaultPoolSingles: 100 },
    rebuild: { events: 30000, runs: 1 },
  },
};

/** Deviations from the plan, printed at the start and written to the results and the docs. */
const PLAN_NOTES = {
  full: [
    'Scenario 1 at N = 100,000: the synchronous cascade runs once, not three times. One run takes about 3 to 3.5 minutes here (plus about a minute to copy the 2 GB dataset it deletes), so three runs would take the scenario well past 15 minutes (the first full run, with three, took 30). The soft delete runs three times at every size; the cascade\'s figure at 100,000 is a single run (no min–max).',
  ],
  quick: ['Quick mode: small sizes and one run each; the targets are for the full sizes, so their marks here are indicative only.'],
};

const METHOD = [
  'Every scenario runs on a fresh temp DATA_DIR, each instance with 3 blobs and 2 bookmarks unless said otherwise; datasets come from the service\'s DemoSeeder (deciders, appendMany, blob store, projections). A seeded dataset is kept as a template and copied (`cp -a` of the closed SQLite file and blob files, then `sync`, so that writing the copy back to disk does not land in the measurement) for each run.',
  'Scenario 1, ours: `POST /api/workflow-instances/bulk-delete` with `filter: { definitionId }` matching all N, timed from the request to its 202; then one `GET /api/workflow-instances?definitionId=…` must already show none of them (asserted). The soft delete never touches a blob file, so its DATA_DIR links the template\'s blob directory instead of copying 300,000 files (the cascade and the purge, which delete blobs, get real copies).',
  'Scenario 1, the old way (bench/scenarios/soft-delete.js `cascadeDelete`): a request handler mounted in the same service that selects the same instances and, one instance at a time, deletes its blobs (BlobStore.deleteAll), its bookmarks (InstanceReadModel.listBookmarks + deleteBookmarks), its read-model row (ProjectionStore.commit with a removal) and its events (EventStore.truncateBefore), each through the same store objects, before answering; timed from the request to its answer, and checked the same way.',
  'A warm-up delete of a small dataset runs on both sides before the measured runs; the two sides alternate run by run.',
  'Scenario 2: the backlog is soft-deleted through the API (grace period 0, so all of it is due), then a fresh child process boots the service and calls PurgeService.runOnce until nothing is left (service defaults: batches of 500, blob concurrency 16); the bench asserts that every instance was purged and no blob directory is left. RSS is sampled every 20 ms.',
  'Scenario 3: instances over 4 definitions; the soft-deleted ones are spread by a hash of their index over time and definitions and deleted through the bulk-delete API (ids, 10,000 per request); requests are sequential on a keep-alive connection.',
  'Scenario 4: each contender runs in a fresh child process of its own (after a warm-up of 200 appends, 2 batches and a read on a throw-away file) and writes its own fresh file, the same event objects (realistic instance events with the service\'s metadata). Ours: SqliteEventStore.append per stream (expected revision no_stream) and readAll in pages. Peer: appendToStream per stream and readMessagesBatch in pages, on one shared connection; its file is created in WAL mode beforehand, because the WAL switch its connection issues without awaiting it can collide with its first transaction and crash the process (the mode is the one it asks for, so nothing else changes); a peer attempt that still fails is retried on a fresh file, up to 3 times, and reported.',
  'Scenario 5: the log is seeded through the service\'s DemoSeeder (4 definitions, 6 events per instance, blob bytes left out, no projection while seeding) plus SoftDeleter for one instance in four; each run is the service\'s own blue/green `rebuildProjections` (what `projections rebuild` runs: readAll, projectBatch and ProjectionStore.commit into a new generation, then the switch), timed whole, with the event and projection stores wrapped to split the time; the bench checks the rebuilt instance counts.',
  'Timings are reported, never asserted: the bench exits 0 when it ran, whatever the figures, and non-zero only when a scenario failed to run or a correctness check failed.',
];

/** "ext4 on /dev/vda" for the temp directory, from df. */
function fileSystemOf(dir) {
  const r = require('node:child_process').spawnSync('df', ['-PT', dir], { encoding: 'utf8' });
  const row = r.status === 0 ? r.stdout.trim().split('\n')[1] : null;
  if (!row) return null;
  const [device, type] = row.split(/\s+/);
  return `${type} on ${device}`;
}

function machine() {
  const cpus = os.cpus();
  const Database = require(require.resolve('better-sqlite3', { paths: [path.resolve(__dirname, '..')] }));
  const db = new Database(':memory:');
  const sqlite = db.prepare('SELECT sqlite_version() AS v').get().v;
  db.close();
  const bsPkg = JSON.parse(fs.readFileSync(require.resolve('better-sqlite3/package.json', { paths: [path.resolve(__dirname, '..')] }), 'utf8'));
  return {
    cpus: cpus.length,
    cpuModel: cpus[0] ? cpus[0].model.trim() : 'unknown',
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    sqlite,
    betterSqlite3: bsPkg.version,
    tmpFs: fileSystemOf(process.env.BENCH_TMPDIR || os.tmpdir()),
    loadAverage: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

/** --report: the table and docs/benchmarks.md again from a saved full run (e.g. after editing bench/analysis.md). */
function reportOnly(file) {
  const { renderText, renderDoc } = require('./report');
  const results = JSON.parse(fs.readFileSync(path.resolve(file), 'utf8'));
  process.stdout.write(renderText(results) + '\n');
  if (results.mode !== 'full' || Object.values(results.scenarios).some((x) => x.error) || Object.keys(results.scenarios).length < 5) {
    throw new Error(`${file} is not a complete full run without failures; docs/benchmarks.md left as it was`);
  }
  const doc = path.join(__dirname, '..', 'docs', 'benchmarks.md');
  fs.writeFileSync(doc, renderDoc(results, path.join(__dirname, 'analysis.md')));
  log(`docs:    ${path.relative(process.cwd(), doc)}`);
}

async function main() {
  if (value('report')) return reportOnly(value('report'));
  const { Templates, cleanupAll, snapshotDist, sourceVersion } = require('./support');
  snapshotDist();
  const { renderText, renderDoc, writeJson } = require('./report');
  const scenarios = [
    require('./scenarios/soft-delete'),
    require('./scenarios/purge'),
    require('./scenarios/queries'),
    require('./scenarios/event-store'),
    require('./scenarios/rebuild'),
  ];
  if (only) {
    const ids = scenarios.map((s) => s.id);
    const bad = only.filter((o) => !ids.includes(o));
    if (bad.length) throw new Error(`--only: unknown scenario ${bad.join(', ')} (known: ${ids.join(', ')})`);
  }
  const mode = quick ? 'quick' : 'full';
  const plan = PLANS[mode];
  const date = new Date().toISOString().slice(0, 10);
  const results = { date, startedAt: new Date().toISOString(), mode, source: sourceVersion(), machine: machine(), plan, method: METHOD, notes: [], scenarios: {} };
  log(`bench (${mode}): ${results.machine.cpus} cores, ${results.machine.cpuModel}, Node.js ${results.machine.node}`);
  for (const note of PLAN_NOTES[mode]) {
    results.notes.push(note);
    log(`NOTE: ${note}`);
  }
  if (cpuProf) fs.mkdirSync(cpuProf, { recursive: true });

  const resultsDir = path.join(__dirname, 'results');
  const partial = only ? `-${only.join('-')}` : '';
  const file = path.join(resultsDir, `${quick ? 'quick-' : ''}${date}${partial}.json`);
  // Written after every scenario too, so a crash keeps what was measured (complete: false).
  const save = (complete) => writeJson(file, { ...results, complete, durationSeconds: (performance.now() - started) / 1000 });
  process.on('uncaughtException', (e) => {
    log(`bench crashed: ${e && e.stack ? e.stack : e}`);
    try {
      save(false);
      cleanupAll();
    } finally {
      process.exit(1);
    }
  });

  const templates = new Templates(log);
  let failed = false;
  try {
    for (const s of scenarios) {
      if (only && !only.includes(s.id)) continue;
      log(`\n${s.title}`);
      const t = performance.now();
      try {
        results.scenarios[s.id] = { ...(await s.run({ plan, templates, log, quick, cpuProf, notes: results.notes })), scenarioSeconds: Number(((performance.now() - t) / 1000).toFixed(1)) };
      } catch (e) {
        failed = true;
        results.scenarios[s.id] = { error: String(e && e.stack ? e.stack : e) };
        log(`  FAILED: ${e && e.stack ? e.stack : e}`);
      }
      save(false);
      log(`  (${((performance.now() - t) / 1000).toFixed(0)} s; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})`);
      // Templates shared by scenarios 1 and 2 are no longer needed after the purge.
      if (s.id === 'purge' || (s.id === 'softDelete' && only && !only.includes('purge'))) for (const k of [...templates.dirs.keys()]) templates.drop(k);
    }
  } finally {
    cleanupAll();
  }

  results.durationSeconds = (performance.now() - started) / 1000;
  process.stdout.write(renderText(results) + '\n');

  results.complete = true;
  save(true);
  log(`\nresults: ${path.relative(process.cwd(), file)}`);
  if (!quick && !only && !failed) {
    const doc = path.join(__dirname, '..', 'docs', 'benchmarks.md');
    fs.mkdirSync(path.dirname(doc), { recursive: true });
    fs.writeFileSync(doc, renderDoc(results, path.join(__dirname, 'analysis.md')));
    log(`docs:    ${path.relative(process.cwd(), doc)}`);
  } else if (!quick) {
    log('docs/benchmarks.md left as it was (only a full run of every scenario without failures rewrites it)');
  }
  log(`${mode} run took ${results.durationSeconds.toFixed(1)} s`);
  if (failed) {
    log('bench: at least one scenario failed to run (see FAILED above)');
    process.exitCode = 1;
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e && e.stack ? e.stack : e}\n`);
  process.exitCode = 1;
});
