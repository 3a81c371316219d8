import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blobFiles, countEvents, instanceStreamProblems, readStore, rebuildAndSnapshot, StoreContents } from '../support/data-dir-inspection';
import { envInt, removeDataDir, seededRandom, seedFrom, ServerProcess, sleep, wis } from '../support/server-process';

/*
 * Kill -9 of the real server process (dist/main.js) at random moments of a bulk delete and of a
 * purge, then restart on the same data directory and check that nothing was lost, duplicated or
 * left behind. Sizes come from the environment (reduced defaults in `npm test`, full size under
 * `npm run test:soak`); the random moments come from KILL_SEED, printed so a run can be replayed.
 */
const SEED = seedFrom('KILL_SEED');
const BULK_INSTANCES = envInt('KILL_BULK_INSTANCES', 2000);
const PURGE_INSTANCES = envInt('KILL_PURGE_INSTANCES', 2000);
/** Kills during the bulk-delete requests (at most KILL_PER_REQUEST per request, in request order), then during its purge. */
const BULK_KILLS = envInt('KILL_BULK_KILLS', 2);
const KILLS_PER_REQUEST = envInt('KILL_PER_REQUEST', 1);
const PURGE_KILLS = envInt('KILL_PURGE_KILLS', 2);
/** Instances created, given blobs and bookmarks over HTTP (beside the seeded ones) in the purge scenario. */
const HTTP_INSTANCES = envInt('KILL_HTTP_INSTANCES', 40);

/** Kills during a request fall in its first this-many ms (a 1,000-instance chunk takes ~100 ms here). */
const KILL_WINDOW_MS = Math.max(250, Math.floor(BULK_INSTANCES / 8));
/** Each restart waits up to 10 s for the dead process's projector lease; seeding takes ~1-2 ms per blob. */
const timeoutFor = (kills: number, instances: number) => 60_000 + kills * 15_000 + instances * 6;

const SERVER_ENV = { PURGE_BATCH_SIZE: '250', PURGE_INTERVAL_MS: '100' };

interface View {
  id: string;
  isDeleted: boolean;
  [k: string]: unknown;
}

type Fetched<T> = { status: number; body: T } | { status: 'down'; error: string };

/** A request that may die with the server: a connection error is an answer too. */
async function attempt<T = any>(p: Promise<{ status: number; body: T }>): Promise<Fetched<T>> {
  try {
    return await p;
  } catch (e) {
    return { status: 'down', error: e instanceof Error ? `${e.message} ${(e as { cause?: Error }).cause?.message ?? ''}` : String(e) };
  }
}

/** Every instance, deleted ones included, through the paged list API. */
async function listAll(s: ServerProcess): Promise<Map<string, View>> {
  const out = new Map<string, View>();
  for (let cursor: string | null = null; ; ) {
    const r: { status: number; body: { items: View[]; nextCursor: string | null } } = await s.get(
      `/api/workflow-instances?deleted=include&limit=1000&orderBy=createdAt&orderDirection=asc${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (r.status !== 200) throw new Error(`list answered ${r.status}: ${JSON.stringify(r.body)}`);
    for (const v of r.body.items) out.set(v.id, v);
    if (!r.body.nextCursor) return out;
    cursor = r.body.nextCursor;
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Restarts after a crash and waits until the new process projects again (read-your-writes needs it). */
async function recover(s: ServerProcess, takeovers: number[]): Promise<ServerProcess> {
  const next = await s.restart();
  takeovers.push(await next.waitForProjector());
  return next;
}

/**
 * The end state every scenario must reach, checked over HTTP and in the data directory:
 * `deleted` instances purged without a trace but their marker, every other instance live and
 * exactly as it was, operations completed with counts that match the events, no orphan blob
 * files, no duplicated events, every purge batch closed, read models equal to a rebuild.
 */
async function assertSettled(s: ServerProcess, original: Map<string, View>, deleted: Set<string>, operationIds: string[], blobNames: Map<string, string[]>) {
  // Live instances exactly as they were; deleted ones gone from every listing.
  const now = await listAll(s);
  const expectedLive = [...original.keys()].filter((id) => !deleted.has(id)).sort();
  expect([...now.keys()].sort()).toEqual(expectedLive);
  for (const id of expectedLive) expect(now.get(id)).toEqual(original.get(id));
  for (const id of [...deleted].slice(0, 20)) {
    expect((await s.get(`/api/workflow-instances/${id}?deleted=include`)).status).toBe(404);
    const audit = await s.get(`/api/audit/workflow-instances/${id}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((i: { type: string }) => i.type)).toContain('Purged');
  }
  // Bookmarks of live instances only, as many as before.
  const bookmarks = await s.get(`/api/bookmarks?limit=1000`);
  for (const b of bookmarks.body.items as { instanceId: string }[]) expect(deleted.has(b.instanceId)).toBe(false);

  const ops = await Promise.all(operationIds.map((id) => s.get(`/api/deletion-operations/${id}`)));
  await s.waitForProjections();
  const stop = await s.stop();
  expect(stop.forced).toBe(false);

  const store = readStore(s.dataDir);
  expect(instanceStreamProblems(store)).toEqual([]);
  // Each deleted instance purged exactly once; its stream keeps the marker only.
  const purgedBy = new Map<string, string>();
  for (const e of store.events.filter((e) => e.type === 'InstancePurged')) {
    expect(purgedBy.has(e.data.instanceId)).toBe(false);
    purgedBy.set(e.data.instanceId, e.data.operationId);
  }
  expect([...purgedBy.keys()].sort()).toEqual([...deleted].sort());
  expect(store.events.filter((e) => e.type === 'InstancePurgeFailed')).toEqual([]);
  for (const id of expectedLive) {
    const types = store.streams.get(`workflowInstance-${id}`)!.map((e) => e.type);
    expect(types).not.toContain('InstancePurgeStarted');
    expect(types).not.toContain('InstancePurged');
  }
  // Every batch claimed was closed, once.
  for (const [streamId, events] of batchStreams(store)) {
    const types = events.map((e) => e.type);
    expect({ streamId, requested: types.filter((t) => t === 'HardDeleteBatchRequested').length, completed: types.filter((t) => t === 'HardDeleteBatchCompleted').length }).toEqual({
      streamId,
      requested: 1,
      completed: 1,
    });
  }
  // Operations: completed, counts equal to the events that carry their id.
  for (const op of ops) {
    expect(op.status).toBe(200);
    const events = store.streams.get(`deletionOperation-${op.body.id}`)!;
    const requested = events.filter((e) => e.type === 'DeletionRequested');
    const completed = events.filter((e) => e.type === 'DeletionSoftDeleteCompleted');
    expect({ id: op.body.id, requested: requested.length, completed: completed.length }).toEqual({ id: op.body.id, requested: 1, completed: 1 });
    const purged = [...purgedBy.values()].filter((o) => o === op.body.id).length;
    const restored = store.events.filter((e) => e.type === 'WorkflowInstanceRestored' && e.data.operationId === op.body.id).length;
    // Soft-delete events outlive the purge only in the streams of instances restored since.
    const softDeleteEvents = store.events.filter((e) => e.type === 'WorkflowInstanceSoftDeleted' && e.data.operationId === op.body.id).length;
    expect(softDeleteEvents).toBe(restored);
    expect(op.body).toMatchObject({ state: 'Completed', softDeleted: purged + restored, purged, restored, purgeFailed: 0 });
    expect(completed[0].data.softDeleted).toBe(purged + restored);
    expect(op.body.softDeleted + op.body.alreadyDeleted + op.body.notFound).toBe(op.body.matched);
  }
  // No operation anywhere is left half-done (also those whose request a crash cut off).
  const stuck = store.events
    .filter((e) => e.type === 'DeletionRequested')
    .filter((e) => !store.streams.get(e.streamId)!.some((x) => x.type === 'DeletionSoftDeleteCompleted'))
    .map((e) => ({ operationId: e.data.operationId, kind: e.data.kind, matched: e.data.matched, selection: e.data.selection }));
  expect(stuck).toEqual([]);
  // Blob files: none for purged instances, exactly the attached ones for live instances, no temp leftovers.
  const files = blobFiles(s.dataDir);
  const orphans = [...files.keys()].filter((id) => !original.has(id) || deleted.has(id));
  expect(orphans).toEqual([]);
  for (const id of expectedLive) expect(files.get(id) ?? []).toEqual(blobNames.get(id) ?? []);

  // Read models equal a fresh rebuild from the events.
  const { before, after } = rebuildAndSnapshot(s.dataDir);
  // Readers were switched to the rebuilt generation of every read model.
  for (const c of Object.keys(before.generations)) expect(after.generations[c]).not.toBe(before.generations[c]);
  expect(after.docs).toEqual(before.docs);
  return store;
}

const batchStreams = (store: StoreContents) => [...store.streams].filter(([id]) => id.startsWith('hardDeleteBatch-'));

/** Seeds through the CLI (the real write path, fast) and returns the blob names per instance. */
function seed(dataDir: string, prefix: string, instances: number, blobs: number, bookmarks: number) {
  wis(dataDir, ['demo', 'seed', '--prefix', prefix, '--definitions', '3', '--instances', String(instances), '--blobs-per-instance', String(blobs), '--bookmarks-per-instance', String(bookmarks)]);
  const names = new Map<string, string[]>();
  for (let i = 0; i < instances; i++) names.set(`${prefix}-${String(i).padStart(7, '0')}`, Array.from({ length: blobs }, (_, b) => `blob-${b}.json`));
  return names;
}

describe('kill -9 of the real server process', () => {
  const dirs: string[] = [];
  let server: ServerProcess | null = null;
  const rnd = seededRandom(SEED);
  const pick = <T>(xs: T[], n: number) => {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a.slice(0, n);
  };

  beforeAll(() => {
    process.stdout.write(`kill tests: KILL_SEED=${SEED} bulk=${BULK_INSTANCES} purge=${PURGE_INSTANCES} purgeKills=${PURGE_KILLS}\n`);
  });
  afterEach(async () => {
    await server?.kill9();
    server = null;
  });
  afterAll(() => dirs.forEach(removeDataDir));

  it(
    'during bulk deletes: every request retried with its Idempotency-Key ends exactly as requested',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'wis-kill-bulk-'));
      dirs.push(dataDir);
      const blobNames = seed(dataDir, 'a', BULK_INSTANCES, 1, 1);
      server = await ServerProcess.start({ dataDir, env: SERVER_ENV });
      const original = await listAll(server);
      expect(original.size).toBe(BULK_INSTANCES);
      const byAge = [...original.values()].sort((x, y) => String(x.createdAt).localeCompare(String(y.createdAt)));

      // The oldest ~70% by a filter (more than one chunk of 1,000 when large enough), a random
      // part of the rest by ids, a few one by one.
      const cut = Math.floor(BULK_INSTANCES * 0.7);
      const filtered = byAge.slice(0, cut).map((v) => v.id);
      const rest = byAge.slice(cut).map((v) => v.id);
      const byIds = pick(rest, Math.floor(rest.length / 2));
      const singles = pick(rest.filter((id) => !byIds.includes(id)), 3);
      const deleted = new Set([...filtered, ...byIds, ...singles]);
      const request = (label: string, send: (s: ServerProcess) => Promise<{ status: number; body: any }>) => ({ label, send });
      const filterRequest = request(`filter (${filtered.length})`, (s) =>
        s.post('/api/workflow-instances/bulk-delete', { filter: { createdBefore: byAge[cut].createdAt }, reason: 'kill test' }, { 'idempotency-key': 'kill-filter' }),
      );
      const idsRequests = chunks(byIds, 1000).map((ids, k) =>
        request(`ids (${ids.length})`, (s) => s.post('/api/workflow-instances/bulk-delete', { ids, reason: 'kill test' }, { 'idempotency-key': `kill-ids-${k}` })),
      );
      const singleRequests = singles.map((id) => request(`single ${id}`, (s) => s.delete(`/api/workflow-instances/${id}`, { reason: 'kill test' })));
      // The order spends a small kill budget on the two kinds that differ most: a multi-chunk filter and a single delete.
      const requests = [filterRequest, singleRequests[0], ...idsRequests, ...singleRequests.slice(1)];

      const operationIds = new Set<string>();
      const timeline: string[] = [];
      const takeovers: number[] = [];
      let kills = 0;
      for (const r of requests) {
        for (let k = 0; ; k++) {
          const killAfter = k < KILLS_PER_REQUEST && kills < BULK_KILLS ? Math.floor(rnd() * KILL_WINDOW_MS) : null;
          const started = Date.now();
          const answer = attempt(r.send(server!));
          if (killAfter !== null) {
            await sleep(killAfter);
            await server!.kill9();
            kills++;
          }
          const a = await answer;
          const ms = Date.now() - started;
          if (!server!.alive) server = await recover(server!, takeovers);
          timeline.push(`${r.label} attempt ${k + 1}: ${killAfter === null ? 'no kill' : `killed at ${killAfter} ms`} -> ${a.status} after ${ms} ms`);
          if (a.status === 202) {
            operationIds.add(a.body.id);
            break;
          }
          // A request the crash cut off gets no answer; anything else is a failure.
          expect(a).toMatchObject({ status: 'down' });
        }
      }
      // What is left of the budget goes into the purge that is now under way.
      while (kills < BULK_KILLS) {
        const killAfter = Math.floor(rnd() * 400);
        await sleep(killAfter);
        await server!.kill9();
        kills++;
        timeline.push(`purge: killed ${killAfter} ms after the projector took over, ${countEvents(dataDir, 'InstancePurged')}/${deleted.size} purged`);
        server = await recover(server!, takeovers);
      }
      process.stdout.write(
        `kill during bulk delete (seed ${SEED}): ${kills} kills, ${takeovers.length} restarts, projector back after ${takeovers.map((t) => (t / 1000).toFixed(1) + ' s').join(', ')}\n  ${timeline.join('\n  ')}\n`,
      );

      const ids = [...operationIds];
      await waitUntil('every operation Completed', async () => (await Promise.all(ids.map((id) => server!.get(`/api/deletion-operations/${id}`)))).every((o) => o.body.state === 'Completed'), 60_000);
      await assertSettled(server!, original, deleted, ids, blobNames);
    },
    envInt('KILL_BULK_TIMEOUT_MS', timeoutFor(BULK_KILLS, BULK_INSTANCES)),
  );

  it(
    'during the purge of instances with blobs and bookmarks: restarts finish it with no orphan and nothing counted twice',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'wis-kill-purge-'));
      dirs.push(dataDir);
      const blobNames = seed(dataDir, 'b', PURGE_INSTANCES, 2, 2);
      // The purge stays off while the data is prepared, so the kills below all fall in its runs.
      server = await ServerProcess.start({ dataDir, env: { ...SERVER_ENV, PURGE_ENABLED: 'false' } });
      const httpIds: string[] = [];
      for (let i = 0; i < HTTP_INSTANCES; i++) {
        const id = `h-${i}`;
        httpIds.push(id);
        expect((await server.post('/api/workflow-instances', { id, definitionId: 'b-def-1', name: `http ${i}` })).status).toBe(201);
        for (const name of ['input.json', 'output.bin']) {
          const content = name.endsWith('.json') ? JSON.stringify({ i, data: 'y'.repeat(100) }) : createHash('sha256').update(id).digest();
          expect((await server.put(`/api/workflow-instances/${id}/blobs/${name}`, content, name.endsWith('.json') ? 'application/json' : 'application/octet-stream')).status).toBe(201);
        }
        expect((await server.post(`/api/workflow-instances/${id}/bookmarks`, { name: 'approve' })).status).toBe(201);
        blobNames.set(id, ['input.json', 'output.bin']);
      }
      const original = await listAll(server);
      expect(original.size).toBe(PURGE_INSTANCES + HTTP_INSTANCES);

      // Two of the three seeded definitions by filter, and a random part of the HTTP ones by ids.
      const deleted = new Set<string>();
      const operationIds: string[] = [];
      for (const definitionId of ['b-def-1', 'b-def-2']) {
        const op = await server.post('/api/workflow-instances/bulk-delete', { filter: { definitionId }, reason: 'purge under fire' });
        expect(op.status).toBe(202);
        operationIds.push(op.body.id);
      }
      for (const v of original.values()) if (v.definitionId === 'b-def-1' || v.definitionId === 'b-def-2') deleted.add(v.id);
      const spared = pick(httpIds, Math.floor(httpIds.length / 2));
      for (const id of spared) deleted.delete(id);
      // Spared by restoring them: they were deleted with the filter above.
      for (const id of spared) expect((await server.post(`/api/workflow-instances/${id}/restore`)).status).toBe(200);
      await server.stop();

      const timeline: string[] = [];
      const takeovers: number[] = [];
      let kills = 0;
      server = await server.restart({ env: { PURGE_ENABLED: 'true' } });
      takeovers.push(await server.waitForProjector());
      for (let k = 0; k < PURGE_KILLS; k++) {
        // Wait for this process's purge to start work, then crash it at a random moment of it.
        const startedBefore = countEvents(dataDir, 'InstancePurgeStarted');
        const purgedBefore = countEvents(dataDir, 'InstancePurged');
        if (purgedBefore === deleted.size) break;
        await waitUntil('the purge to start work', async () => countEvents(dataDir, 'InstancePurgeStarted') > startedBefore || countEvents(dataDir, 'InstancePurged') > purgedBefore, 30_000);
        const killAfter = Math.floor(rnd() * 500);
        await sleep(killAfter);
        await server.kill9();
        kills++;
        const purged = countEvents(dataDir, 'InstancePurged');
        timeline.push(`kill ${k + 1}, ${killAfter} ms into the purge's work: ${purged}/${deleted.size} purged (${purged - purgedBefore} by this process)`);
        server = await recover(server, takeovers);
      }
      process.stdout.write(
        `kill during purge (seed ${SEED}): ${kills} kills, ${takeovers.length} restarts, projector back after ${takeovers.map((t) => (t / 1000).toFixed(1) + ' s').join(', ')}\n  ${timeline.join('\n  ')}\n`,
      );

      await waitUntil(
        'every operation Completed',
        async () => (await Promise.all(operationIds.map((id) => server!.get(`/api/deletion-operations/${id}`)))).every((o) => o.body.state === 'Completed'),
        90_000,
      );
      // The restored ones come back exactly as they were, except for the deletion they went through.
      for (const id of spared) {
        const now = (await server.get(`/api/workflow-instances/${id}`)).body;
        original.set(id, now);
        expect(now).toMatchObject({ isDeleted: false, bookmarkCount: 1, blobCount: 2, status: 'Suspended' });
      }
      const store = await assertSettled(server, original, deleted, operationIds, blobNames);
      expect(batchStreams(store).length).toBeGreaterThanOrEqual(Math.ceil(deleted.size / 250));
    },
    envInt('KILL_PURGE_TIMEOUT_MS', timeoutFor(PURGE_KILLS + 1, PURGE_INSTANCES * 2)),
  );
});

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
