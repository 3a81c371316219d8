'use strict';
// Scenario 1: bulk soft delete (our way) against a synchronous cascade delete (the old way),
// both through the same embedded stores of the same in-process service.
const { service, startApp, expectStatus, removeDir } = require('../support');
const { summarize, since } = require('../stats');

const DEFINITION = 'demo-def-1';
const CASCADE_PATH = '/bench/cascade-delete';

/** One dataset shape per N: one definition (the bulk delete's filter matches all N), 3 blobs, 2 bookmarks. */
const datasetOf = (n) => ({ key: `s1-${n}`, options: { definitions: 1, instances: n, blobsPerInstance: 3, bookmarksPerInstance: 2 } });

/**
 * The old way, as a user of it would write it against our stores: one request that finds the
 * instances and, one instance at a time (as Elsa does), deletes its blobs, its bookmarks, its
 * read-model row and its events, each through the store's port, before it answers.
 */
async function cascadeDelete(stores, filter) {
  const { instanceStream } = service('shared/event-sourcing/streams');
  const { COLLECTIONS } = service('shared/read-models/documents');
  const ids = await stores.instances.selectIds({ ...filter, deleted: 'exclude' }, 10_000_000);
  // Removal position for the read-model rows: after every event stored so far.
  const removedAt = ((await stores.events.headPosition()) ?? 0) + 1;
  const out = { deleted: 0, blobs: 0, bookmarks: 0 };
  for (const id of ids) {
    const doc = await stores.instances.get(id);
    if (!doc) continue;
    out.blobs += await stores.blobs.deleteAll(id);
    const bookmarks = await stores.instances.listBookmarks({ instanceId: id, limit: 1000 });
    out.bookmarks += await stores.instances.deleteBookmarks(bookmarks.map((b) => b.id));
    await stores.projections.commit([{ collection: COLLECTIONS.instances, id, position: removedAt, doc: null }], []);
    await stores.events.truncateBefore(instanceStream(id), doc.revision + 1);
    out.deleted++;
  }
  return out;
}

/** Mounts the cascade as a request handler of the running service (before Nest maps its routes). */
function mountCascade(app) {
  const { EventStore } = service('shared/event-sourcing/event-store.port');
  const { BlobStore } = service('shared/blobs/blob-store.port');
  const { ProjectionStore } = service('shared/projections/projection-store.port');
  const { InstanceReadModel } = service('shared/read-models/read-model.ports');
  app.use(CASCADE_PATH, (req, res, next) => {
    if (req.method !== 'POST') return next();
    const stores = { events: app.get(EventStore), blobs: app.get(BlobStore), projections: app.get(ProjectionStore), instances: app.get(InstanceReadModel) };
    cascadeDelete(stores, req.body.filter ?? {}).then(
      (r) => res.status(200).json(r),
      (e) => res.status(500).json({ statusCode: 500, error: 'Internal Server Error', message: String(e && e.stack ? e.stack : e) }),
    );
  });
}

/** After either delete, one GET must already show none of the instances. */
async function assertListExcludes(app, n, what) {
  const list = expectStatus(await app.http.get(`/api/workflow-instances?definitionId=${DEFINITION}`), 200, `${what}: list after delete`);
  if (list.totalCount !== 0 || list.items.length !== 0) {
    throw new Error(`${what}: the list still shows ${list.totalCount} of the ${n} deleted instances right after the answer`);
  }
}

/** Our way: POST bulk-delete by filter, timed to its 202. */
async function oursOnce(templates, n, label) {
  const ds = datasetOf(n);
  // The soft delete never touches a blob file: its DATA_DIR links the template's blobs (see Templates.fresh).
  const dir = await templates.fresh(ds.key, ds.options, `${label}-ours-${n}`, { shareBlobs: true });
  const app = await startApp(dir);
  try {
    const t = performance.now();
    const res = await app.http.post('/api/workflow-instances/bulk-delete', { filter: { definitionId: DEFINITION }, reason: 'benchmark' });
    const ms = since(t);
    const op = expectStatus(res, 202, 'bulk soft delete');
    if (op.softDeleted !== n) throw new Error(`bulk soft delete: softDeleted ${op.softDeleted}, expected ${n}`);
    await assertListExcludes(app, n, 'soft delete');
    return ms;
  } finally {
    await app.close();
    removeDir(dir);
  }
}

/** The old way: POST to the cascade handler, timed to its answer. */
async function cascadeOnce(templates, n, label) {
  const ds = datasetOf(n);
  const dir = await templates.fresh(ds.key, ds.options, `${label}-cascade-${n}`);
  const app = await startApp(dir, { configure: mountCascade });
  try {
    const t = performance.now();
    const res = await app.http.post(CASCADE_PATH, { filter: { definitionId: DEFINITION } });
    const ms = since(t);
    const r = expectStatus(res, 200, 'synchronous cascade');
    if (r.deleted !== n || r.blobs !== 3 * n || r.bookmarks !== 2 * n) {
      throw new Error(`synchronous cascade deleted ${JSON.stringify(r)}, expected ${n} instances, ${3 * n} blobs, ${2 * n} bookmarks`);
    }
    await assertListExcludes(app, n, 'cascade');
    return ms;
  } finally {
    await app.close();
    removeDir(dir);
  }
}

async function run({ plan, templates, log }) {
  const p = plan.softDelete;
  // Warm-up (not recorded): loads and compiles both code paths once.
  log(`  warm-up on ${p.warmup} instances`);
  await oursOnce(templates, p.warmup, 'warmup');
  await cascadeOnce(templates, p.warmup, 'warmup');
  templates.drop(datasetOf(p.warmup).key);

  const sizes = [];
  for (const n of p.sizes) {
    const runs = p.runs[n];
    const ours = [];
    const cascade = [];
    // Interleaved, so drift of the machine during the run hits both sides alike.
    for (let r = 0; r < runs.ours; r++) {
      ours.push(await oursOnce(templates, n, `r${r}`));
      log(`  N=${n.toLocaleString('en-US')} run ${r + 1}: soft delete ${ours[r].toFixed(0)} ms`);
      if (r < runs.cascade) {
        cascade.push(await cascadeOnce(templates, n, `r${r}`));
        log(`  N=${n.toLocaleString('en-US')} run ${r + 1}: synchronous cascade ${cascade[r].toFixed(0)} ms`);
      }
    }
    const o = summarize(ours);
    const c = summarize(cascade);
    sizes.push({ n, softDeleteMs: o, cascadeMs: c, ratio: c.median / o.median, oursPerSecond: n / (o.median / 1000), cascadePerSecond: n / (c.median / 1000) });
  }
  const growth = [];
  for (let i = 1; i < sizes.length; i++) {
    const a = sizes[i - 1];
    const b = sizes[i];
    growth.push({ from: a.n, to: b.n, sizeFactor: b.n / a.n, softDelete: b.softDeleteMs.median / a.softDeleteMs.median, cascade: b.cascadeMs.median / a.cascadeMs.median });
  }
  return { sizes, growth, seed: templates.info() };
}

module.exports = { id: 'softDelete', title: '1. Bulk soft delete vs synchronous cascade', run, datasetOf, cascadeDelete };
