'use strict';
// Scenario 5: rebuilding every read model from the whole event log, from position 0 into empty
// read models: the service's `projections rebuild` work (readAll, projectBatch, commit).
const { service, tempDir, removeDir, diskUsage } = require('../support');
const { summarize, since } = require('../stats');

/** Events per batch when the service has no `rebuildProjections` yet: the catch-up subscription's batch size. */
const FALLBACK_BATCH = 2000;
/** Events per seeded instance: created, 3 blobs attached, 2 bookmarks created. */
const EVENTS_PER_INSTANCE = 6;
/** One instance in this many is then soft-deleted (one more event each), so every projection has work. */
const DELETE_EVERY = 4;

/**
 * Seeds about `events` events without projecting them: the service's DemoSeeder (deciders,
 * appendMany in transactions of 1,000 instances) with the blob bytes left out (the events that
 * record them stay) and no wait for the projector, then SoftDeleter for one instance in four.
 */
async function seedLog(stores, events, log) {
  const { DemoSeeder } = service('modules/demo/demo-seeder');
  const { SoftDeleter } = service('modules/deletion/commands/soft-deleter');
  const { SystemClock } = service('shared/clock');
  const instances = Math.max(1, Math.round(events / (EVENTS_PER_INSTANCE + 1 / DELETE_EVERY)));
  const noBlobs = { put: async (_id, name, content, contentType) => ({ name, size: content.length, contentType, sha256: '' }) };
  const noProjector = { waitFor: async () => undefined };
  const seeder = new DemoSeeder(stores.events, noBlobs, noProjector, new SystemClock());
  const t = performance.now();
  let shown = 0;
  await seeder.seed({
    definitions: 4,
    instances,
    blobsPerInstance: 3,
    bookmarksPerInstance: 2,
    onProgress: (done, total) => {
      if (total >= 50000 && (done - shown >= total / 4 || done === total)) {
        shown = done;
        log(`  seeding ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} instances`);
      }
    },
  });
  const ids = [];
  for (let i = 0; i < instances; i += DELETE_EVERY) ids.push(`demo-${String(i).padStart(7, '0')}`);
  const now = new Date().toISOString();
  await new SoftDeleter(stores.events, stores.instances).run(ids, { operationId: 'bench-rebuild-op', by: 'system:bench', now, purgeAfter: now }, { actor: 'system:bench', correlationId: 'bench', causationId: 'bench' });
  return { instances, seconds: since(t) / 1000 };
}

/** Wraps `target` so the named async methods add their time to `into[key]`. */
function timed(target, methods, into) {
  return new Proxy(target, {
    get(t, k) {
      const v = t[k];
      if (typeof v !== 'function') return v;
      if (k in methods) {
        return async (...a) => {
          const s = performance.now();
          try {
            return await v.apply(t, a);
          } finally {
            into[methods[k]] += since(s);
          }
        };
      }
      return v.bind(t);
    },
  });
}

/**
 * One rebuild of every read model from position 0. With the service's blue/green
 * `rebuildProjections` (the `projections rebuild` command): exactly that, into a new generation,
 * then the switch. Without it: the same steps (readAll, projectBatch, ProjectionStore.commit)
 * into reset read models. The stores are wrapped to split the time.
 */
async function rebuildOnce(stores, projections) {
  const split = { readMs: 0, lookupMs: 0, commitMs: 0 };
  const events = timed(stores.events, { readAll: 'readMs' }, split);
  let rebuild;
  try {
    rebuild = service('shared/projections/projection-rebuild').rebuildProjections;
  } catch {
    rebuild = null;
  }
  const t = performance.now();
  let count = 0;
  let how;
  if (rebuild) {
    const store = new Proxy(stores.projections, {
      get(tg, k) {
        if (k === 'forGeneration') return (g) => timed(tg.forGeneration(g), { commit: 'commitMs', getMany: 'lookupMs' }, split);
        const v = tg[k];
        return typeof v === 'function' ? v.bind(tg) : v;
      },
    });
    const r = await rebuild(events, store, projections);
    if (!r.activated) throw new Error('rebuild did not switch to the new generation');
    count = r.events;
    how = `rebuildProjections (blue/green, generation ${r.generation})`;
  } else {
    const { projectBatch } = service('shared/projections/projection-runner');
    const store = timed(stores.projections, { commit: 'commitMs', getMany: 'lookupMs' }, split);
    const names = projections.map((p) => p.name);
    await stores.projections.reset([...new Set(projections.map((p) => p.collection))], names);
    let checkpoints = await store.loadCheckpoints(names);
    let after = null;
    for (;;) {
      const batch = await events.readAll(after, FALLBACK_BATCH);
      if (batch.length === 0) break;
      const { writes, moves } = await projectBatch(store, projections, checkpoints, batch);
      await store.commit(writes, moves);
      checkpoints = new Map(moves.map((m) => [m.name, m.to]));
      count += batch.length;
      after = batch[batch.length - 1].position;
    }
    how = `readAll + projectBatch + commit in batches of ${FALLBACK_BATCH}`;
  }
  const ms = since(t);
  return { events: count, ms, perSecond: count / (ms / 1000), projectMs: ms - split.readMs - split.lookupMs - split.commitMs, ...split, how };
}

async function run({ plan, log }) {
  const p = plan.rebuild;
  const { openEmbeddedStores } = service('shared/storage/storage.module');
  const { ALL_PROJECTIONS } = service('shared/storage/projections.registry');
  const dir = tempDir(`rebuild-${p.events}`);
  const stores = openEmbeddedStores(dir);
  try {
    log(`  seeding about ${p.events.toLocaleString('en-US')} events`);
    const seed = await seedLog(stores, p.events, log);
    const head = await stores.events.headPosition();
    log(`  seeded ${head.toLocaleString('en-US')} events in ${seed.seconds.toFixed(1)} s`);
    const runs = [];
    for (let r = 0; r < p.runs; r++) {
      const x = await rebuildOnce(stores, ALL_PROJECTIONS);
      if (x.events !== head) throw new Error(`rebuild read ${x.events} events, the log holds ${head}`);
      runs.push(x);
      log(`  run ${r + 1}: ${Math.round(x.perSecond).toLocaleString('en-US')} events/s (reading the log ${(x.readMs / 1000).toFixed(1)} s, read-model lookups ${(x.lookupMs / 1000).toFixed(1)} s, projecting ${(x.projectMs / 1000).toFixed(1)} s, commits ${(x.commitMs / 1000).toFixed(1)} s)`);
    }
    // The rebuilt read models must hold what the seed made: every instance, a quarter soft-deleted.
    const live = await stores.instances.count({ deleted: 'exclude' });
    const all = await stores.instances.count({ deleted: 'include' });
    if (all !== seed.instances || live !== seed.instances - Math.ceil(seed.instances / DELETE_EVERY)) {
      throw new Error(`rebuilt read models hold ${all} instances (${live} live), expected ${seed.instances}`);
    }
    return {
      events: head,
      instances: seed.instances,
      how: runs[0].how,
      projections: ALL_PROJECTIONS.map((x) => x.name),
      perSecond: summarize(runs.map((x) => x.perSecond)),
      seconds: summarize(runs.map((x) => x.ms / 1000)),
      split: { readSeconds: summarize(runs.map((x) => x.readMs / 1000)), lookupSeconds: summarize(runs.map((x) => x.lookupMs / 1000)), projectSeconds: summarize(runs.map((x) => x.projectMs / 1000)), commitSeconds: summarize(runs.map((x) => x.commitMs / 1000)) },
      seed: { seconds: Number(seed.seconds.toFixed(1)), diskBytes: diskUsage(dir) },
    };
  } finally {
    await stores.close();
    removeDir(dir);
  }
}

module.exports = { id: 'rebuild', title: '5. Projection rebuild', run, seedLog, rebuildOnce };
