'use strict';
// Child process of scenario 2: boots the service on a DATA_DIR that holds a soft-deleted backlog,
// runs the purge until the backlog is gone, and reports rate and memory. A process of its own,
// so its peak RSS is the purge's and not the seeding's of the parent.
process.env.UV_THREADPOOL_SIZE = '16';
const fs = require('node:fs');
const path = require('node:path');
const { service, startApp } = require('../support');

/**
 * Resident memory split as Linux reports it: anonymous (heap, native allocations, SQLite's page
 * cache) and file-backed (pages of the SQLite file mapped by its mmap_size, code). Null elsewhere.
 */
function rssSplit() {
  try {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const kb = (name) => {
      const m = status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
      return m ? Number(m[1]) * 1024 : null;
    };
    return { anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
  } catch {
    return { anon: null, file: null, shmem: null };
  }
}

async function main() {
  const dataDir = process.argv[2];
  const { PurgeService } = service('modules/purge/purge.service');
  const { InstanceReadModel } = service('shared/read-models/read-model.ports');
  const app = await startApp(dataDir);
  let failure = null;
  try {
    const instances = app.app.get(InstanceReadModel);
    const purge = app.app.get(PurgeService);
    const baselineRss = process.memoryUsage().rss;
    const baselineSplit = rssSplit();
    let peakRss = baselineRss;
    let peakHeap = process.memoryUsage().heapUsed;
    const peakSplit = { ...baselineSplit };
    const sample = () => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
      const x = rssSplit();
      for (const k of Object.keys(peakSplit)) if (x[k] !== null) peakSplit[k] = Math.max(peakSplit[k] ?? 0, x[k]);
    };
    const sampler = setInterval(sample, 20);
    const before = await instances.purgeBacklog(new Date().toISOString());
    const t = performance.now();
    let purged = 0;
    let failed = 0;
    let batches = 0;
    for (;;) {
      const r = await purge.runOnce();
      if (r.skipped) throw new Error(`purge run skipped: ${r.skipped}`);
      purged += r.purged;
      failed += r.failed;
      batches += r.batches.length;
      if (r.purged === 0 && r.failed === 0) break;
    }
    const seconds = (performance.now() - t) / 1000;
    clearInterval(sampler);
    sample();
    const after = await instances.purgeBacklog(new Date().toISOString());
    const blobRoot = path.join(dataDir, 'blobs');
    const blobDirsLeft = fs.existsSync(blobRoot) ? fs.readdirSync(blobRoot).length : 0;
    process.send({
      ok: true,
      backlog: before.due,
      purged,
      failed,
      batches,
      seconds,
      perSecond: purged / seconds,
      baselineRss,
      peakRss,
      peakHeap,
      baselineRssAnon: baselineSplit.anon,
      baselineRssFile: baselineSplit.file,
      peakRssAnon: peakSplit.anon,
      peakRssFile: peakSplit.file,
      // The kernel's high-water mark for this process (boot included).
      maxRss: process.resourceUsage().maxRSS * 1024,
      left: after.softDeleted,
      blobDirsLeft,
    });
  } catch (e) {
    failure = e;
  } finally {
    await app.close();
  }
  if (failure) throw failure;
}

main().catch((e) => {
  if (process.send) process.send({ ok: false, error: String(e && e.stack ? e.stack : e) });
  process.exitCode = 1;
});
