import { PurgeService } from '../../src/modules/purge/purge.service';
import { TestApp, startTestApp } from '../support/test-app';

const KEYS = 'alice:operator:alice-key-1234567,bob:operator:bob-key-45678901,rita:viewer:viewer-key-1234567';

describe('audit API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({ env: { API_KEYS: KEYS, PURGE_GRACE_PERIOD_SECONDS: '60' } });
    const alice = (r: ReturnType<typeof t.http.post>) => r.set('Authorization', 'Bearer alice-key-1234567');
    await alice(t.http.post('/api/workflow-definitions')).send({ id: 'd', name: 'D' }).expect(201);
    for (const id of ['live', 'deleted', 'restored', 'purged']) await alice(t.http.post('/api/workflow-instances')).send({ id, definitionId: 'd' }).expect(201);
  });
  afterEach(() => t.close());

  const as = (key: string) => ({
    del: (url: string, body: object = {}) => t.http.delete(url).set('Authorization', `Bearer ${key}`).send(body),
    post: (url: string, body: object = {}) => t.http.post(url).set('Authorization', `Bearer ${key}`).send(body),
    get: (url: string) => t.http.get(url).set('Authorization', `Bearer ${key}`),
  });
  const alice = as('alice-key-1234567');
  const bob = as('bob-key-45678901');
  const types = (res: { body: { items: { type: string }[] } }) => res.body.items.map((i) => i.type);

  it('tells the deletion history of live, soft-deleted, restored and purged instances', async () => {
    const op = await bob.del('/api/workflow-instances/purged', { reason: 'GDPR erasure' }).expect(202);
    t.clock.advance(60_000);
    await alice.del('/api/workflow-instances/deleted', { reason: 'duplicate' }).expect(202);
    await alice.del('/api/workflow-instances/restored').expect(202);
    await bob.post('/api/workflow-instances/restored/restore').expect(200);
    expect(await t.app.get(PurgeService).runOnce()).toMatchObject({ purged: 1 });

    expect((await alice.get('/api/audit/workflow-instances/live').expect(200)).body).toEqual({ instanceId: 'live', items: [] });
    const deleted = await alice.get('/api/audit/workflow-instances/deleted').expect(200);
    expect(deleted.body.items).toEqual([{ type: 'SoftDeleted', at: '2026-01-01T00:01:00.000Z', actor: 'alice', operationId: expect.any(String), reason: 'duplicate' }]);
    expect(types(await alice.get('/api/audit/workflow-instances/restored').expect(200))).toEqual(['SoftDeleted', 'Restored']);
    const purged = await alice.get('/api/audit/workflow-instances/purged').expect(200);
    expect(purged.body.items).toEqual([
      // After the purge the reason lives on in the operation only (free text may hold personal data).
      { type: 'SoftDeleted', at: '2026-01-01T00:00:00.000Z', actor: 'bob', operationId: op.body.id },
      { type: 'PurgeBatchRequested', at: '2026-01-01T00:01:00.000Z', actor: 'system:purge', batchId: expect.any(String) },
      { type: 'PurgeStarted', at: '2026-01-01T00:01:00.000Z', actor: 'system:purge', batchId: expect.any(String) },
      { type: 'Purged', at: '2026-01-01T00:01:00.000Z', actor: 'system:purge', operationId: op.body.id, batchId: expect.any(String) },
    ]);
    await alice.get('/api/audit/workflow-instances/never-existed').expect(404);
  });

  it('lists deletion operations with who, when, why, how many and the outcome, filtered by actor and time', async () => {
    await alice.del('/api/workflow-instances/deleted', { reason: 'duplicate' }).expect(202);
    t.clock.advance(1000);
    await bob.post('/api/workflow-instances/bulk-delete', { ids: ['restored', 'purged', 'ghost'], reason: 'cleanup' }).expect(202);
    const all = await alice.get('/api/audit/deletions').expect(200);
    expect(all.body.items).toEqual([
      expect.objectContaining({ requestedBy: 'bob', reason: 'cleanup', kind: 'bulk', matched: 3, softDeleted: 2, outcome: 'SoftDeleted', requestedAt: '2026-01-01T00:00:01.000Z' }),
      expect.objectContaining({ requestedBy: 'alice', reason: 'duplicate', kind: 'instance', matched: 1, softDeleted: 1, outcome: 'SoftDeleted' }),
    ]);
    expect((await alice.get('/api/audit/deletions?actor=alice').expect(200)).body.items.map((i: { requestedBy: string }) => i.requestedBy)).toEqual(['alice']);
    expect((await alice.get('/api/audit/deletions?from=2026-01-01T00:00:01.000Z').expect(200)).body.items).toHaveLength(1);
    expect((await alice.get('/api/audit/deletions?to=2026-01-01T00:00:01.000Z').expect(200)).body.items).toHaveLength(1);
    const bad = await alice.get('/api/audit/deletions?from=last-week').expect(400);
    expect(bad.body.message).toMatch(/from must be an ISO-8601/);
  });

  it('needs a key, and the operator role to delete', async () => {
    await t.http.get('/api/audit/deletions').expect(401);
    await t.http.get('/api/audit/deletions').set('Authorization', 'Bearer wrong-key-000').expect(401);
    await as('viewer-key-1234567').get('/api/audit/deletions').expect(200);
    const res = await as('viewer-key-1234567').del('/api/workflow-instances/live').expect(403);
    expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'this action needs the operator role; key "rita" has viewer' });
    await t.http.get('/health').expect(200);
  });
});
