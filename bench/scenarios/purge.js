'use strict';
// Scenario 2: the background hard delete. A backlog of N soft-deleted instances (3 blobs and
// 2 bookmarks each, due at once) is purged by the service's own PurgeService in a fresh process.
const path = require('node:path');
const { fork } = require('node:child_process');
const { startApp, expectStatus, removeDir } = require('../support');
const { summarize } = require('../stats');
const { datasetOf } = require('./soft-delete');

/** Runs purge-worker.js on `dir` and resolves with its report. */
function purgeInChild(dir, execArgv) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'purge-worker.js'), [dir], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let report = null;
    child.on('message', (m) => (report = m));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (report && report.ok) resolve(report);
      else reject(new Error(`purge worker failed (exit ${code}): ${report ? report.error : 'no report'}`));
    });
  });
}

async function purgeOnce(templates, n, label, execArgv) {
  const ds = datasetOf(n);
  const dir = await templates.fresh(ds.key, ds.options, `${label}-purge-${n}`);
  try {
    // The backlog: every instance soft-deleted through the API, due at once (grace period 0).
    const app = await startApp(dir);
    try {
      const op = expectStatus(await app.http.post('/api/workflow-instances/bulk-delete', { filter: { definitionId: 'demo-def-1' } }), 202, 'soft delete before the purge');
      if (op.softDeleted !== n) throw new Error(`soft delete before the purge: softDeleted ${op.softDeleted}, expected ${n}`);
    } finally {
      await app.close();
    }
    const r = await purgeInChild(dir, execArgv);
    if (r.purged !== n || r.failed !== 0 || r.left !== 0 || r.blobDirsLeft !== 0) {
      throw new Error(`purge of ${n}: purged ${r.purged}, failed ${r.failed}, ${r.left} still soft-deleted, ${r.blobDirsLeft} blob directories left`);
    }
    return r;
  } finally {
    removeDir(dir);
  }
}

async function run({ plan, templates, log, cpuProf }) {
  const p = plan.purge;
  const execArgv = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [];
  const backlogs = [];
  for (const n of p.sizes) {
    const reports = [];
    for (let r = 0; r < p.runs[n]; r++) {
      const rep = await purgeOnce(templates, n, `r${r}`, execArgv);
      reports.push(rep);
      log(`  backlog ${n.toLocaleString('en-US')} run ${r + 1}: ${Math.round(rep.perSecond).toLocaleString('en-US')} instances/s, ${rep.seconds.toFixed(1)} s, peak RSS ${(rep.peakRss / 2 ** 20).toFixed(0)} MiB`);
    }
    backlogs.push({
      n,
      perSecond: summarize(reports.map((x) => x.perSecond)),
      seconds: summarize(reports.map((x) => x.seconds)),
      batches: reports[0].batches,
      baselineRssMiB: summarize(reports.map((x) => x.baselineRss / 2 ** 20)),
      peakRssMiB: summarize(reports.map((x) => x.peakRss / 2 ** 20)),
      peakHeapMiB: summarize(reports.map((x) => x.peakHeap / 2 ** 20)),
      peakRssAnonMiB: summarize(reports.map((x) => (x.peakRssAnon === null ? null : x.peakRssAnon / 2 ** 20))),
      peakRssFileMiB: summarize(reports.map((x) => (x.peakRssFile === null ? null : x.peakRssFile / 2 ** 20))),
      baselineRssAnonMiB: summarize(reports.map((x) => (x.baselineRssAnon === null ? null : x.baselineRssAnon / 2 ** 20))),
      maxRssMiB: summarize(reports.map((x) => x.maxRss / 2 ** 20)),
    });
  }
  const first = backlogs[0];
  const last = backlogs[backlogs.length - 1];
  return {
    backlogs,
    memoryGrowth: {
      from: first.n,
      to: last.n,
      peakRss: last.peakRssMiB.median / first.peakRssMiB.median,
      peakRssAboveBaseline: (last.peakRssMiB.median - last.baselineRssMiB.median) / Math.max(1, first.peakRssMiB.median - first.baselineRssMiB.median),
      peakRssAnon: last.peakRssAnonMiB.median === null ? null : last.peakRssAnonMiB.median / first.peakRssAnonMiB.median,
      peakHeap: last.peakHeapMiB.median / first.peakHeapMiB.median,
    },
  };
}

module.exports = { id: 'purge', title: '2. Purge (background hard delete)', run };
