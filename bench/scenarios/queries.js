'use strict';
// Scenario 3: list latency over HTTP with 0%, 50% and 90% of the instances soft-deleted.
const { tempDir, seedDir, startApp, expectStatus, removeDir, diskUsage } = require('../support');
const { summarize, percentile, since } = require('../stats');

const DEFINITIONS = 4;
const QUERIES = {
  default: '/api/workflow-instances',
  // Every seeded instance holds 2 open bookmarks, so all are Suspended: the status part narrows
  // nothing, the definition part keeps a quarter.
  filtered: '/api/workflow-instances?status=Suspended&definitionId=demo-def-2',
};

/** Deterministic scatter in 0..999, so deleted rows are spread over time and definitions. */
const bucket = (i) => Number((BigInt(i) * 2654435761n) % 4294967296n) % 1000;
const idOf = (i) => `demo-${String(i).padStart(7, '0')}`;

async function timeQuery(http, url, count) {
  const ms = [];
  let last = null;
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const res = await http.get(url);
    ms.push(since(t));
    last = expectStatus(res, 200, `GET ${url}`);
  }
  return { ms, last };
}

async function run({ plan, log }) {
  const p = plan.queries;
  const dir = tempDir(`queries-${p.instances}`);
  try {
    log(`  seeding ${p.instances.toLocaleString('en-US')} instances (${DEFINITIONS} definitions, 3 blobs and 2 bookmarks each)`);
    const seed = await seedDir(dir, { definitions: DEFINITIONS, instances: p.instances, blobsPerInstance: 3, bookmarksPerInstance: 2 }, log);
    log(`  seeded in ${seed.seconds.toFixed(1)} s`);
    const app = await startApp(dir);
    const levels = [];
    try {
      let deletedSoFar = 0;
      let previous = 0;
      for (const fraction of p.fractions) {
        // Soft delete through the API until `fraction` of all instances is deleted.
        const threshold = Math.round(fraction * 1000);
        const ids = [];
        for (let i = 0; i < p.instances; i++) {
          const b = bucket(i);
          if (b >= previous && b < threshold) ids.push(idOf(i));
        }
        previous = threshold;
        for (let k = 0; k < ids.length; k += 10_000) {
          const op = expectStatus(await app.http.post('/api/workflow-instances/bulk-delete', { ids: ids.slice(k, k + 10_000) }), 202, 'soft delete for the query scenario');
          deletedSoFar += op.softDeleted;
        }
        const live = p.instances - deletedSoFar;
        const level = { deletedPercent: Math.round((deletedSoFar / p.instances) * 100), live, queries: {} };
        for (const [name, url] of Object.entries(QUERIES)) {
          await timeQuery(app.http, url, p.warmup);
          const rounds = [];
          for (let r = 0; r < p.rounds; r++) rounds.push(await timeQuery(app.http, url, p.requests));
          const last = rounds[rounds.length - 1].last;
          if (last.items.length !== Math.min(50, name === 'default' ? live : last.totalCount) || last.items.some((x) => x.isDeleted)) {
            throw new Error(`GET ${url}: ${last.items.length} items (some deleted?) with ${live} live instances`);
          }
          if (name === 'default' && last.totalCount !== live) throw new Error(`GET ${url}: totalCount ${last.totalCount}, expected ${live}`);
          level.queries[name] = {
            url,
            totalCount: last.totalCount,
            p50: summarize(rounds.map((x) => percentile(x.ms, 50))),
            p95: summarize(rounds.map((x) => percentile(x.ms, 95))),
            p99: summarize(rounds.map((x) => percentile(x.ms, 99))),
          };
        }
        log(
          `  ${level.deletedPercent}% deleted: default p50 ${level.queries.default.p50.median.toFixed(2)} ms p95 ${level.queries.default.p95.median.toFixed(2)} ms; ` +
            `filtered p50 ${level.queries.filtered.p50.median.toFixed(2)} ms p95 ${level.queries.filtered.p95.median.toFixed(2)} ms`,
        );
        levels.push(level);
      }
    } finally {
      await app.close();
    }
    return { instances: p.instances, definitions: DEFINITIONS, requestsPerRound: p.requests, rounds: p.rounds, warmup: p.warmup, levels, seed: { seconds: Number(seed.seconds.toFixed(1)), events: seed.events, diskBytes: diskUsage(dir) } };
  } finally {
    removeDir(dir);
  }
}

module.exports = { id: 'queries', title: '3. List queries with many soft-deleted', run };
