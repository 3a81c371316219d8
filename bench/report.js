'use strict';
// Tables (stdout and markdown), targets met or missed, the results file and docs/benchmarks.md.
const fs = require('node:fs');
const path = require('node:path');
const { fmt, fmtSummary, fmtRatio } = require('./stats');

const n = (x) => x.toLocaleString('en-US');
const ms = (s) => fmtSummary(s, 'ms');
const perS = (s) => fmtSummary(s, '/s');
const mib = (s) => fmtSummary(s, 'MiB');

/** Sections of `{ title, header, rows, notes }`, one or more per scenario that ran. */
function tables(results) {
  const out = [];
  const s = results.scenarios;

  if (s.softDelete && !s.softDelete.error) {
    const r = s.softDelete;
    out.push({
      title: '1. Bulk soft delete vs synchronous cascade (time until the answer; the list already excludes them)',
      header: ['N instances', 'soft delete → 202', 'synchronous cascade', 'cascade / soft delete', 'soft-deleted per s', 'cascaded per s', 'runs'],
      rows: r.sizes.map((x) => [n(x.n), ms(x.softDeleteMs), ms(x.cascadeMs), fmtRatio(x.ratio), fmt(x.oursPerSecond), fmt(x.cascadePerSecond), `${x.softDeleteMs.runs} / ${x.cascadeMs.runs}`]),
    });
    out.push({
      title: '1b. Growth from N to 10N (10× = linear)',
      header: ['N → 10N', 'soft delete', 'synchronous cascade'],
      rows: r.growth.map((g) => [`${n(g.from)} → ${n(g.to)}`, fmtRatio(g.softDelete), fmtRatio(g.cascade)]),
    });
  }
  if (s.purge && !s.purge.error) {
    const r = s.purge;
    out.push({
      title: '2. Purge of a soft-deleted backlog (3 blobs, 2 bookmarks each), in a fresh process',
      header: ['backlog', 'purged per s', 'purge time', 'RSS after boot', 'peak RSS', 'of it anonymous', 'of it file-backed', 'peak JS heap'],
      rows: r.backlogs.map((b) => [n(b.n), perS(b.perSecond), fmtSummary(b.seconds, 's'), mib(b.baselineRssMiB), mib(b.peakRssMiB), b.peakRssAnonMiB ? mib(b.peakRssAnonMiB) : 'n/a', b.peakRssFileMiB ? mib(b.peakRssFileMiB) : 'n/a', mib(b.peakHeapMiB)]),
      notes: [
        `From a backlog of ${n(r.memoryGrowth.from)} to ${n(r.memoryGrowth.to)}: peak RSS ${fmtRatio(r.memoryGrowth.peakRss)}, anonymous RSS ${fmtRatio(r.memoryGrowth.peakRssAnon)}, JS heap ${fmtRatio(r.memoryGrowth.peakHeap)}. Anonymous RSS is the process's own memory (JS heap, native allocations, SQLite's page cache of 64 MiB); file-backed RSS is mapped files: Node.js's binary and libraries (about 50 MiB before boot) and, were a memory map set (mmap_size, 0 since the purge memory work), pages of the SQLite file.`,
      ],
    });
  }
  if (s.queries && !s.queries.error) {
    const r = s.queries;
    const q = (l, k, p) => ms(l.queries[k][p]);
    out.push({
      title: `3. List queries over HTTP, ${n(r.instances)} instances (p50/p95 over ${r.requestsPerRound} requests after ${r.warmup} warm-up; median of ${r.rounds} rounds)`,
      header: ['soft-deleted', 'live', 'default p50', 'default p95', 'filtered p50', 'filtered p95'],
      rows: r.levels.map((l) => [`${l.deletedPercent}%`, n(l.live), q(l, 'default', 'p50'), q(l, 'default', 'p95'), q(l, 'filtered', 'p50'), q(l, 'filtered', 'p95')]),
      notes: [`default: \`GET ${r.levels[0].queries.default.url}\` (page of 50, newest first, with totalCount); filtered: \`GET ${r.levels[0].queries.filtered.url}\`.`],
    });
  }
  if (s.eventStore && !s.eventStore.error) {
    const r = s.eventStore;
    const w = r.workload;
    const peer = (m) => (r.peer.unavailable ? `unavailable: ${r.peer.unavailable}` : perS(r.peer[m]));
    const row = (label, m) => [label, perS(r.ours[m]), peer(m), perS(r.ceiling[m]), fmtRatio(r.ratios[m].oursOverPeer), fmtRatio(r.ratios[m].oursOverCeiling)];
    const notes = [
      `Workload: ${n(w.singles)} single-event appends to ${n(w.singles)} new streams; ${n(w.batches)} appends of ${w.batchSize} events to new streams; ${w.readsOfGlobalLog} full read(s) of the global log (${n(w.totalEvents)} events, pages of ${n(w.readPage)}). Fresh files, WAL for all three.`,
      'Ceiling: bare better-sqlite3 inserts of the same rows into the same table on the same connection settings, all appends of a part in one transaction; its read is one SELECT of the whole log, decoded like ours.',
    ];
    if (r.bareTransactionPerAppend) {
      notes.push(`Bare inserts with one transaction per append instead (one WAL fsync per append, the durability each store gives an append): ${perS(r.bareTransactionPerAppend.singlesPerSecond)} single appends, ${perS(r.bareTransactionPerAppend.batchEventsPerSecond)} events in appends of ${w.batchSize}.`);
    }
    if (!r.peer.unavailable) {
      notes.push(`Peer: @event-driven-io/emmett-sqlite ${r.peer.versions['emmett-sqlite']} (emmett ${r.peer.versions.emmett}, sqlite3 ${r.peer.versions.sqlite3}), one shared connection (\`connectionOptions.singleton\`), PRAGMA synchronous=${r.peer.synchronous}; global log read with its readMessagesBatch.${r.peer.failedAttempts ? ` ${r.peer.failedAttempts} attempt(s) failed in its driver (races of statements it does not await) and were retried on a fresh file.` : ''}`);
      if (r.peerDefaultPool && r.peerDefaultPool.singlesPerSecond) {
        notes.push(`Peer as in its quick start (\`getSQLiteEventStore({ fileName })\`, a new connection per call): ${fmt(r.peerDefaultPool.singlesPerSecond)} single appends/s over ${n(r.peerDefaultPool.appends)} appends.`);
      }
    }
    out.push({
      title: '4. Event store: ours vs the peer vs the bare ceiling',
      header: ['', 'ours', 'peer (emmett-sqlite)', 'ceiling (bare)', 'ours / peer', 'ours / ceiling'],
      rows: [row('single-event appends per s', 'singlesPerSecond'), row(`events per s in appends of ${w.batchSize}`, 'batchEventsPerSecond'), row('global log read, events per s', 'readEventsPerSecond')],
      notes,
    });
  }
  if (s.rebuild && !s.rebuild.error) {
    const r = s.rebuild;
    out.push({
      title: `5. Projection rebuild of all ${r.projections.length} read models from position 0`,
      header: ['events', 'events per s', 'total', 'reading the log', 'read-model lookups', 'projecting', 'committing'],
      rows: [[n(r.events), perS(r.perSecond), fmtSummary(r.seconds, 's'), fmtSummary(r.split.readSeconds, 's'), fmtSummary(r.split.lookupSeconds, 's'), fmtSummary(r.split.projectSeconds, 's'), fmtSummary(r.split.commitSeconds, 's')]],
      notes: [`Work measured: ${r.how}.`],
    });
  }
  for (const [id, v] of Object.entries(s)) {
    if (v && v.error) out.push({ title: `${id}: FAILED`, header: ['error'], rows: [[v.error.split('\n')[0]]] });
  }
  return out;
}

/** Each target of the issue with its figure and met/missed (null: not measured in this run). */
function targets(results) {
  const s = results.scenarios;
  const t = [];
  const add = (target, met, figure) => t.push({ target, met, figure });
  const sd = s.softDelete && !s.softDelete.error ? s.softDelete : null;
  const at = (n0) => sd && (sd.sizes.find((x) => x.n === n0) || null);
  const ref = at(10000) || (sd && sd.sizes[sd.sizes.length - 1]);
  const refLabel = ref ? (ref.n === 10000 ? '10,000' : `${n(ref.n)} (quick size; target is for 10,000)`) : '10,000';
  add(`bulk soft delete of ${refLabel}: under 1 s`, ref ? ref.softDeleteMs.median < 1000 : null, ref ? `${fmt(ref.softDeleteMs.median)} ms` : 'not run');
  add(`bulk soft delete of ${refLabel}: at least 20× faster than the synchronous cascade`, ref ? ref.ratio >= 20 : null, ref ? `${fmtRatio(ref.ratio)} (${fmt(ref.cascadeMs.median)} ms vs ${fmt(ref.softDeleteMs.median)} ms)` : 'not run');
  if (sd && sd.growth.length) {
    add('bulk soft delete grows linearly (time at 10N at most 12× the time at N, i.e. linear within 20%)', sd.growth.every((g) => g.softDelete <= 12), sd.growth.map((g) => `${n(g.from)}→${n(g.to)}: ${fmtRatio(g.softDelete)}`).join(', '));
  } else add('bulk soft delete grows linearly', null, 'not run');
  const pu = s.purge && !s.purge.error ? s.purge : null;
  add('purge: at least 2,000 instances/s', pu ? pu.backlogs.every((b) => b.perSecond.median >= 2000) : null, pu ? pu.backlogs.map((b) => `${fmt(b.perSecond.median)}/s at ${n(b.n)}`).join(', ') : 'not run');
  add('purge: flat memory (peak RSS at the largest backlog at most 1.25× the smallest)', pu ? pu.memoryGrowth.peakRss <= 1.25 : null, pu ? pu.backlogs.map((b) => `${fmt(b.peakRssMiB.median)} MiB at ${n(b.n)}`).join(', ') : 'not run');
  const qs = s.queries && !s.queries.error ? s.queries : null;
  const l90 = qs && qs.levels.find((l) => l.deletedPercent === 90);
  add('list queries: p95 under 20 ms at 90% deleted', l90 ? l90.queries.default.p95.median < 20 && l90.queries.filtered.p95.median < 20 : null, l90 ? `default ${fmt(l90.queries.default.p95.median)} ms, filtered ${fmt(l90.queries.filtered.p95.median)} ms` : 'not run');
  const es = s.eventStore && !s.eventStore.error ? s.eventStore : null;
  const labels = { singlesPerSecond: 'single appends', batchEventsPerSecond: 'batch appends', readEventsPerSecond: 'reads' };
  if (es && !es.peer.unavailable) {
    const r = Object.entries(es.ratios);
    add('event store: at least as fast as the peer on appends and reads', r.every(([, v]) => v.oursOverPeer >= 1), r.map(([k, v]) => `${labels[k]} ${fmtRatio(v.oursOverPeer)}`).join(', '));
  } else add('event store: at least as fast as the peer on appends and reads', null, es ? `peer unavailable: ${es.peer.unavailable}` : 'not run');
  if (es) {
    const r = Object.entries(es.ratios);
    const gap = (x) => (x >= 1 ? `${fmtRatio(x)} the ceiling` : `ceiling ${fmtRatio(1 / x)} faster`);
    add('event store: within 3× of the bare ceiling', r.every(([, v]) => v.oursOverCeiling >= 1 / 3), r.map(([k, v]) => `${labels[k]}: ${gap(v.oursOverCeiling)}`).join(', '));
  } else add('event store: within 3× of the bare ceiling', null, 'not run');
  const rb = s.rebuild && !s.rebuild.error ? s.rebuild : null;
  add(`rebuild: at least 50,000 events/s${rb && rb.events < 900000 ? ` (quick: ${n(rb.events)} events)` : ''}`, rb ? rb.perSecond.median >= 50000 : null, rb ? `${fmt(rb.perSecond.median)} events/s` : 'not run');
  return t;
}

const mark = (m) => (m === true ? 'met' : m === false ? 'MISSED' : 'not measured');

function renderText(results) {
  const lines = [];
  for (const tb of tables(results)) {
    lines.push('', tb.title);
    const widths = tb.header.map((h, i) => Math.max(h.length, ...tb.rows.map((r) => String(r[i]).length)));
    const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
    lines.push(line(tb.header), widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of tb.rows) lines.push(line(r));
    for (const note of tb.notes || []) lines.push(`  ${note}`);
  }
  if (results.notes && results.notes.length) {
    lines.push('', 'Notes');
    for (const x of results.notes) lines.push(`  ${x}`);
  }
  lines.push('', results.mode === 'quick' ? 'Targets (quick sizes: indicative only, the targets are for the full sizes)' : 'Targets');
  for (const x of targets(results)) lines.push(`  [${mark(x.met)}] ${x.target}: ${x.figure}`);
  return lines.join('\n');
}

function renderMarkdownTables(results) {
  const esc = (c) => String(c).replace(/\|/g, '\\|');
  const out = [];
  for (const tb of tables(results)) {
    out.push(`### ${tb.title}`, '', `| ${tb.header.map(esc).join(' | ')} |`, `|${tb.header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
    for (const r of tb.rows) out.push(`| ${r.map(esc).join(' | ')} |`);
    out.push('');
    for (const note of tb.notes || []) out.push(`${note}`, '');
  }
  return out.join('\n');
}

function machineText(m) {
  return `${m.cpus} × ${m.cpuModel}, ${fmt(m.memoryGiB)} GiB memory, ${m.platform} ${m.release}, Node.js ${m.node}, SQLite ${m.sqlite} (better-sqlite3 ${m.betterSqlite3})`;
}

function renderDoc(results, analysisFile) {
  const m = results.machine;
  const lines = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` on ${results.date} (full run, ${fmt(results.durationSeconds / 60)} min) against commit ${results.source.commit}${results.source.uncommittedSrcChanges ? ` with ${results.source.uncommittedSrcChanges} uncommitted change(s) in src/` : ''}. Regenerate it with the same command; \`npm run bench -- --quick\` is the smoke run (small sizes, under a minute, does not touch this page).`,
    '',
    '## Machine',
    '',
    `- CPU: ${m.cpus} cores, ${m.cpuModel}`,
    `- Memory: ${fmt(m.memoryGiB)} GiB`,
    `- Node.js ${m.node} on ${m.platform} ${m.release} (${m.arch})`,
    `- SQLite ${m.sqlite} through better-sqlite3 ${m.betterSqlite3}; temp directories on ${m.tmpFs || 'the OS temp dir'}`,
    `- Load average at the start of the run: ${m.loadAverage}`,
    '',
    '## How to reproduce',
    '',
    '```sh',
    'npm ci',
    'npm run bench            # builds, runs every scenario, writes bench/results/<date>.json and this page (~30 min)',
    'npm run bench -- --quick # smoke run: small sizes, 1 run each, writes bench/results/quick-<date>.json only',
    '```',
    '',
    'Everything runs in one process on the embedded store (SQLite in WAL mode with synchronous=FULL, blobs as fsynced files) in fresh temp',
    'directories, against the compiled service in `dist/` booted in-process (`bench/support.js`); the purge runs in a child process of its own so',
    'its memory is measured alone. The peer event store is a package of its own (`bench/peer/`, installed by the bench on first use). Each',
    'figure is the median of its runs with (min–max); the raw figures of every run are in the results file.',
    '',
    '## Results',
    '',
    renderMarkdownTables(results),
    '## Targets',
    '',
    '| target | result | figure |',
    '|---|---|---|',
    ...targets(results).map((x) => `| ${x.target} | ${mark(x.met)} | ${x.figure} |`),
    '',
    '## Method',
    '',
    ...results.method.map((x) => `- ${x}`),
    '',
  ];
  if (results.notes.length) lines.push('## Choices made in this run', '', ...results.notes.map((x) => `- ${x}`), '');
  if (analysisFile && fs.existsSync(analysisFile)) lines.push(fs.readFileSync(analysisFile, 'utf8').trim(), '');
  return lines.join('\n');
}

function writeJson(file, results) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...results, targets: targets(results) }, null, 2) + '\n');
}

module.exports = { renderText, renderDoc, writeJson, targets, machineText };
