import { DeletionOperations } from '../../src/modules/deletion/commands/deletion-operations';
import { InterruptedDeletions } from '../../src/modules/deletion/commands/interrupted-deletions';
import { PurgeService } from '../../src/modules/purge/purge.service';
import { TestApp, loud, startTestApp } from '../support/test-app';

/**
 * A bulk delete without an Idempotency-Key whose request a crash cut off after it soft-deleted
 * part of its selection: nothing would ever finish that operation. Recovery closes it.
 */
describe('recovery of deletion operations a crash interrupted', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({ env: { DELETION_RECOVERY_AFTER_MS: '60000', DELETION_RECOVERY_INTERVAL_MS: '0', PURGE_GRACE_PERIOD_SECONDS: '0' } });
    await t.http.post('/api/workflow-definitions').send({ id: 'd', name: 'D' }).expect(201);
    for (const id of ['a', 'b', 'c']) await t.http.post('/api/workflow-instances').send({ id, definitionId: 'd' }).expect(201);
  });
  afterEach(() => t.close());

  it('closes it after the threshold with what it did; what it never reached stays live; the purge then completes it', async () => {
    // The first half of a request: recorded, one of two instances soft-deleted, then the crash.
    const ops = t.app.get(DeletionOperations);
    const ctx = { actor: 'alice', correlationId: 'c-1', causationId: 'c-1' };
    const req = { operationId: 'op-cut', kind: 'bulk' as const, selection: { ids: ['a', 'b'] }, fingerprint: { ids: ['a', 'b'] } };
    const { now } = await ops.begin(req, 2, ctx);
    await ops.softDelete(req, ['a'], ctx, now);
    expect((await t.http.get('/api/deletion-operations/op-cut').expect(200)).body).toMatchObject({ state: 'SoftDeleting', softDeleted: 1, interrupted: false });

    const recovery = t.app.get(InterruptedDeletions);
    expect(await recovery.closeStale()).toBe(0); // too young: its request may still be running
    t.clock.advance(61_000);
    expect(await recovery.closeStale()).toBe(1);
    expect(await recovery.closeStale()).toBe(0);

    const op = (await t.http.get('/api/deletion-operations/op-cut').expect(200)).body;
    expect(op).toMatchObject({ state: 'SoftDeleted', matched: 2, softDeleted: 1, alreadyDeleted: 0, notFound: 0, interrupted: true });
    await t.http.get('/api/workflow-instances/b').expect(200);
    await t.http.get('/api/workflow-instances/a').expect(404);
    const warnings = loud(t.logs);
    expect(warnings).toEqual([expect.objectContaining({ level: 'warn', operationId: 'op-cut', requestedBy: 'alice', matched: 2, softDeleted: 1 })]);
    const closing = (await t.allEvents()).filter((e) => e.type === 'DeletionSoftDeleteCompleted');
    expect(closing.map((e) => [e.data, e.metadata.actor])).toEqual([[expect.objectContaining({ operationId: 'op-cut', interrupted: true }), 'system:recovery']]);

    await t.app.get(PurgeService).runOnce();
    expect((await t.http.get('/api/deletion-operations/op-cut').expect(200)).body).toMatchObject({ state: 'Completed', purged: 1, interrupted: true });
  });

  it('leaves completed operations alone', async () => {
    await t.http.post('/api/workflow-instances/bulk-delete').send({ ids: ['a'] }).expect(202);
    t.clock.advance(3_600_000);
    expect(await t.app.get(InterruptedDeletions).closeStale()).toBe(0);
    expect(loud(t.logs)).toEqual([]);
  });
});
