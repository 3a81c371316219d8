import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemBlobStore } from '../../src/shared/blobs/adapters/filesystem-blob-store';
import { BlobStore } from '../../src/shared/blobs/blob-store.port';
import { PurgeHooks, PurgeStep } from '../../src/modules/purge/purge.hooks';
import { PurgeService } from '../../src/modules/purge/purge.service';
import { TestApp, TestClock, loud, startTestApp } from '../support/test-app';

const DEF = 'orders';
const GRACE_S = 60;

class CrashAt extends PurgeHooks {
  step: PurgeStep | null = null;
  async after(step: PurgeStep) {
    if (step === this.step) throw new Error(`simulated crash after ${step}`);
  }
}

async function seed(t: TestApp, n: number, blobs = 3, bookmarks = 2) {
  await t.http.post('/api/workflow-definitions').send({ id: DEF, name: 'Orders' }).expect(201);
  for (let i = 0; i < n; i++) {
    const id = `i-${i}`;
    await t.http.post('/api/workflow-instances').send({ id, definitionId: DEF }).expect(201);
    for (let b = 0; b < bookmarks; b++) await t.http.post(`/api/workflow-instances/${id}/bookmarks`).send({ name: `wait-${b}` }).expect(201);
    for (let b = 0; b < blobs; b++) await t.http.put(`/api/workflow-instances/${id}/blobs/blob-${b}.bin`).set('content-type', 'application/octet-stream').send(Buffer.from(`data ${id} ${b}`)).expect(201);
  }
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${i}`);
const blobDirs = (t: TestApp) => (existsSync(join(t.dataDir, 'blobs')) ? readdirSync(join(t.dataDir, 'blobs')).filter((f) => !f.startsWith('.')) : []);

async function expectFullyPurged(t: TestApp, instanceIds: string[], operationId: string) {
  const events = await t.allEvents();
  for (const id of instanceIds) {
    const stream = events.filter((e) => e.streamId === `workflowInstance-${id}`);
    expect(stream.map((e) => e.type)).toEqual(['InstancePurged']);
    expect(await t.events.readStream(`workflowInstance-${id}`)).toHaveLength(1);
    await t.http.get(`/api/workflow-instances/${id}?deleted=include`).expect(404);
    const audit = await t.http.get(`/api/audit/workflow-instances/${id}`).expect(200);
    expect(audit.body.items.map((i: { type: string }) => i.type)).toEqual(expect.arrayContaining(['SoftDeleted', 'PurgeBatchRequested', 'PurgeStarted', 'Purged']));
  }
  expect(blobDirs(t)).toEqual([]);
  expect((await t.http.get('/api/bookmarks').expect(200)).body.items).toEqual([]);
  expect((await t.http.get('/api/workflow-instances?deleted=include').expect(200)).body.totalCount).toBe(0);
  const op = await t.http.get(`/api/deletion-operations/${operationId}`).expect(200);
  expect(op.body).toMatchObject({ state: 'Completed', softDeleted: instanceIds.length, purged: instanceIds.length, purgeFailed: 0 });
  const purgedEvents = events.filter((e) => e.type === 'InstancePurged');
  expect(purgedEvents).toHaveLength(instanceIds.length);
}

describe('purge (background hard delete) on the embedded store', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  const bulkDelete = async (list: string[]) =>
    (await t.http.post('/api/workflow-instances/bulk-delete').send({ ids: list }).expect(202)).body.id as string;

  it('purges instances with blobs and bookmarks, keeping only the marker and the audit trail', async () => {
    t = await startTestApp({ env: { PURGE_GRACE_PERIOD_SECONDS: String(GRACE_S) } });
    await seed(t, 3);
    const opId = await bulkDelete(ids(3));
    t.clock.advance(GRACE_S * 1000);
    const report = await t.app.get(PurgeService).runOnce();
    expect(report).toMatchObject({ purged: 3, failed: 0 });
    await expectFullyPurged(t, ids(3), opId);
    const marker = (await t.allEvents()).find((e) => e.type === 'InstancePurged')!;
    expect(marker.data).toEqual({
      instanceId: 'i-0',
      definitionId: DEF,
      operationId: opId,
      batchId: expect.any(String),
      deletedAt: '2026-01-01T00:00:00.000Z',
      deletedBy: 'anonymous',
      purgedAt: '2026-01-01T00:01:00.000Z',
      blobsDeleted: 3,
      bookmarksDeleted: 2,
      bookmarkIds: expect.any(Array),
      history: [
        { type: 'SoftDeleted', at: '2026-01-01T00:00:00.000Z', actor: 'anonymous', operationId: opId },
        { type: 'PurgeStarted', at: '2026-01-01T00:01:00.000Z', actor: 'system:purge', batchId: expect.any(String) },
      ],
    });
    expect(marker.metadata.actor).toBe('system:purge');
    const types = (await t.allEvents()).filter((e) => e.streamId.startsWith('hardDeleteBatch-')).map((e) => e.type);
    expect(types).toEqual(['HardDeleteBatchRequested', 'HardDeleteBatchCompleted']);
    expect(loud(t.logs)).toEqual([]);
  });

  it('a run with nothing due is silent and appends nothing', async () => {
    t = await startTestApp({ env: { PURGE_GRACE_PERIOD_SECONDS: String(GRACE_S) } });
    await seed(t, 1, 0, 0);
    await bulkDelete(ids(1));
    const before = (await t.allEvents()).length;
    const logsBefore = t.logs.length;
    expect(await t.app.get(PurgeService).runOnce()).toMatchObject({ batches: [], purged: 0 });
    expect((await t.allEvents()).length).toBe(before);
    expect(t.logs.slice(logsBefore).filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('respects the grace period: restore works during it, and the purge takes only what is due', async () => {
    t = await startTestApp({ env: { PURGE_GRACE_PERIOD_SECONDS: String(GRACE_S) } });
    await seed(t, 2, 1, 1);
    await bulkDelete(['i-0']);
    t.clock.advance(30_000);
    await bulkDelete(['i-1']);
    t.clock.advance(30_000); // i-0 due now, i-1 in 30 s
    expect(await t.app.get(PurgeService).runOnce()).toMatchObject({ purged: 1 });
    await t.http.post('/api/workflow-instances/i-0/restore').expect(404);
    await t.http.post('/api/workflow-instances/i-1/restore').expect(200);
    expect((await t.http.get('/api/workflow-instances/i-1/blobs').expect(200)).body.items).toHaveLength(1);
  });

  it('refuses a restore once the purge has begun on the instance', async () => {
    const hooks = new CrashAt();
    hooks.step = 'started';
    t = await startTestApp({ env: { PURGE_GRACE_PERIOD_SECONDS: '0' }, overrides: [{ provide: PurgeHooks, useValue: hooks }] });
    await seed(t, 1);
    await bulkDelete(ids(1));
    await expect(t.app.get(PurgeService).runOnce()).rejects.toThrow(/simulated crash/);
    const res = await t.http.post('/api/workflow-instances/i-0/restore').expect(409);
    expect(res.body.message).toMatch(/being purged/);
  });

  it('blobs already missing: the purge succeeds and logs no warning or error', async () => {
    t = await startTestApp({ env: { PURGE_GRACE_PERIOD_SECONDS: '0' } });
    await seed(t, 2);
    const opId = await bulkDelete(ids(2));
    rmSync(join(t.dataDir, 'blobs'), { recursive: true, force: true });
    expect(await t.app.get(PurgeService).runOnce()).toMatchObject({ purged: 2, failed: 0 });
    await expectFullyPurged(t, ids(2), opId);
    expect(loud(t.logs)).toEqual([]);
  });

  describe.each<PurgeStep>(['claimed', 'started', 'blobs', 'bookmarks', 'purged', 'truncated'])('a crash after "%s"', (step) => {
    it('is finished by the next run, with no orphan and the operation counted once', async () => {
      const hooks = new CrashAt();
      t = await startTestApp({ env: { PURGE_GRACE_PERIOD_SECONDS: '0' }, overrides: [{ provide: PurgeHooks, useValue: hooks }] });
      await seed(t, 3);
      const opId = await bulkDelete(ids(3));
      hooks.step = step;
      await expect(t.app.get(PurgeService).runOnce()).rejects.toThrow(`simulated crash after ${step}`);
      hooks.step = null;
      const report = await t.app.get(PurgeService).runOnce();
      expect(report.batches[0]).toMatchObject({ resumed: true, purged: 3 });
      await expectFullyPurged(t, ids(3), opId);
    });
  });

  it('a failing blob store: retries with backoff, records each failure, gives up after the maximum, purges the rest', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wis-test-'));
    const real = new FilesystemBlobStore(join(dataDir, 'blobs'));
    const flaky = Object.create(real) as FilesystemBlobStore;
    flaky.deleteAll = async (id: string) => {
      if (id === 'i-1') throw new Error('disk on fire');
      return real.deleteAll(id);
    };
    t = await startTestApp({
      dataDir,
      env: { PURGE_GRACE_PERIOD_SECONDS: '0', PURGE_MAX_ATTEMPTS: '3', PURGE_RETRY_BASE_MS: '1000' },
      overrides: [{ provide: BlobStore, useValue: flaky }],
    });
    await seed(t, 3);
    const opId = await bulkDelete(ids(3));
    const purge = t.app.get(PurgeService);

    expect(await purge.runOnce()).toMatchObject({ purged: 2, failed: 1 });
    expect(await purge.runOnce()).toMatchObject({ purged: 0, batches: [] }); // backoff: not due yet
    t.clock.advance(1000);
    expect(await purge.runOnce()).toMatchObject({ failed: 1 });
    t.clock.advance(2000);
    expect(await purge.runOnce()).toMatchObject({ failed: 1 });
    t.clock.advance(60_000);
    expect(await purge.runOnce()).toMatchObject({ batches: [] }); // given up: stays soft-deleted

    const failures = (await t.allEvents()).filter((e) => e.type === 'InstancePurgeFailed').map((e) => e.data);
    expect(failures).toEqual([
      expect.objectContaining({ instanceId: 'i-1', attempt: 1, willRetry: true, error: 'disk on fire' }),
      expect.objectContaining({ instanceId: 'i-1', attempt: 2, willRetry: true }),
      expect.objectContaining({ instanceId: 'i-1', attempt: 3, willRetry: false }),
    ]);
    expect((await t.http.get('/api/workflow-instances/i-1?deleted=include').expect(200)).body).toMatchObject({ isDeleted: true, purgeFailed: true });
    expect((await t.http.get(`/api/deletion-operations/${opId}`).expect(200)).body).toMatchObject({ state: 'CompletedWithFailures', purged: 2, purgeFailed: 1 });
    const errors = loud(t.logs);
    expect(errors).toEqual([expect.objectContaining({ level: 'error', msg: 'purge gave up on instance; it stays soft-deleted', instanceId: 'i-1', attempt: 3 })]);
  });

  it('two purge workers on one store purge every instance exactly once', async () => {
    const clock = new TestClock();
    t = await startTestApp({ clock, env: { PURGE_GRACE_PERIOD_SECONDS: '0', PURGE_BATCH_SIZE: '4' } });
    const other = await startTestApp({ clock, dataDir: t.dataDir, env: { PURGE_GRACE_PERIOD_SECONDS: '0', PURGE_BATCH_SIZE: '4' } });
    try {
      await seed(t, 20, 1, 1);
      const opId = await bulkDelete(ids(20));
      const workers = [t.app.get(PurgeService), other.app.get(PurgeService)];
      for (let round = 0; round < 20; round++) {
        await Promise.all(workers.map((w) => w.runOnce()));
        const op = await t.http.get(`/api/deletion-operations/${opId}`).expect(200);
        if (op.body.purged === 20) break;
      }
      await expectFullyPurged(t, ids(20), opId);
    } finally {
      await other.close({ keepData: true });
    }
  });

  it('exposes purge metrics in Prometheus text', async () => {
    t = await startTestApp({ env: { PURGE_GRACE_PERIOD_SECONDS: '0' } });
    await seed(t, 2, 0, 0);
    await bulkDelete(['i-0']);
    await t.app.get(PurgeService).runOnce();
    await t.http.delete('/api/workflow-instances/i-1').send({}).expect(202);
    const res = await t.http.get('/metrics').expect(200);
    expect(res.text).toMatch(/^purge_instances_purged_total 1$/m);
    expect(res.text).toMatch(/^purge_backlog_instances 1$/m);
    expect(res.text).toMatch(/^purge_batch_duration_seconds_count 1$/m);
    expect(res.text).toMatch(/^# TYPE purge_instance_failures_total counter$/m);
    expect(res.text).toMatch(/^purge_last_success_timestamp_seconds \d+/m);
  });
});
