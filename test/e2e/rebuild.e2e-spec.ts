import { PurgeService } from '../../src/modules/purge/purge.service';
import { EventStore } from '../../src/shared/event-sourcing/event-store.port';
import { rebuildProjections } from '../../src/shared/projections/projection-rebuild';
import { ProjectionRunner } from '../../src/shared/projections/projection-runner';
import { ProjectionStore } from '../../src/shared/projections/projection-store.port';
import { snapshot } from '../support/read-model-snapshot';
import { TestApp, startTestApp } from '../support/test-app';

describe('blue/green projection rebuild (embedded store)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({ env: { PURGE_GRACE_PERIOD_SECONDS: '0' } });
    await t.http.post('/api/workflow-definitions').send({ id: 'd', name: 'D' }).expect(201);
    await t.http.post('/api/workflow-definitions').send({ id: 'gone', name: 'Retired' }).expect(201);
    for (let i = 0; i < 12; i++) {
      const id = `i-${i}`;
      await t.http.post('/api/workflow-instances').send({ id, definitionId: i < 10 ? 'd' : 'gone', correlationId: `c-${i % 3}` }).expect(201);
      await t.http.post(`/api/workflow-instances/${id}/bookmarks`).send({ name: 'approve' }).expect(201);
      await t.http.put(`/api/workflow-instances/${id}/blobs/state.json`).set('content-type', 'application/json').send(`{"n":${i}}`).expect(201);
    }
    await t.http.post('/api/workflow-instances/i-0/complete').expect(200);
    await t.http.post('/api/workflow-instances/bulk-delete').send({ ids: ['i-1', 'i-2', 'i-3'] }).expect(202);
    await t.http.post('/api/workflow-instances/i-2/restore').expect(200);
    await t.app.get(PurgeService).runOnce(); // purges i-1 and i-3
    await t.http.post('/api/workflow-instances/bulk-delete').send({ ids: ['i-4'] }).expect(202); // soft-deleted, due but not purged yet
    await t.http.delete('/api/workflow-definitions/gone').send({}).expect(202);
  });
  afterEach(() => t.close());

  const rebuild = (options: Parameters<typeof rebuildProjections>[3] = {}) =>
    rebuildProjections(t.app.get(EventStore), t.app.get(ProjectionStore), t.app.get(ProjectionRunner).projections, options);

  it('yields exactly the documents the live projections had, without resurrecting purged instances', async () => {
    const before = snapshot(t.dataDir);
    expect(before.docs.instances.map((d) => (d as { id: string }).id)).not.toContain('i-1');
    const result = await rebuild();
    expect(result).toMatchObject({ generation: before.active + 1, activated: true, resumed: false });
    const after = snapshot(t.dataDir);
    expect(after.active).toBe(before.active + 1);
    expect(after.docs).toEqual(before.docs);
    await t.http.get('/api/workflow-instances/i-1?deleted=include').expect(404);
    expect((await t.http.get('/api/workflow-instances').expect(200)).body.totalCount).toBe(7); // i-0, i-2, i-5 … i-9
  });

  it('keeps the restore counts of operations whose restored instances a later operation purged', async () => {
    const a = (await t.http.delete('/api/workflow-instances/i-5').send({}).expect(202)).body.id;
    await t.http.post('/api/workflow-instances/i-5/restore').expect(200);
    const c = (await t.http.post('/api/workflow-instances/bulk-delete').send({ ids: ['i-6', 'i-7'] }).expect(202)).body.id;
    await t.http.post(`/api/deletion-operations/${c}/undo`).expect(200);
    await t.http.delete('/api/workflow-instances/i-5').send({}).expect(202);
    await t.http.post('/api/workflow-instances/bulk-delete').send({ ids: ['i-6'] }).expect(202);
    await t.app.get(PurgeService).runOnce(); // purges i-5 and i-6, and with them their restore events
    await t.http.get('/api/workflow-instances/i-5?deleted=include').expect(404);
    const opA = (await t.http.get(`/api/deletion-operations/${a}`).expect(200)).body;
    const opC = (await t.http.get(`/api/deletion-operations/${c}`).expect(200)).body;
    expect(opA).toMatchObject({ softDeleted: 1, restored: 1, purged: 0, state: 'Completed' });
    expect(opC).toMatchObject({ softDeleted: 2, restored: 2, purged: 0, state: 'Undone' });

    const before = snapshot(t.dataDir);
    await rebuild();
    expect(snapshot(t.dataDir).docs).toEqual(before.docs);
    expect((await t.http.get(`/api/deletion-operations/${a}`).expect(200)).body).toEqual(opA);
    expect((await t.http.get(`/api/deletion-operations/${c}`).expect(200)).body).toEqual(opC);
  });

  it('resumes after an interruption and yields the same', async () => {
    const before = snapshot(t.dataDir);
    const abort = new AbortController();
    const first = await rebuild({ batchSize: 20, signal: abort.signal, onProgress: (p) => p.events > 0 && abort.abort() });
    expect(first).toMatchObject({ activated: false, events: 20 });
    expect(snapshot(t.dataDir).active).toBe(before.active); // readers still on the old generation
    const second = await rebuild({ batchSize: 20 });
    expect(second).toMatchObject({ generation: first.generation, resumed: true, activated: true });
    expect(snapshot(t.dataDir).docs).toEqual(before.docs);
  });

  it('keeps serving and projecting across the switch', async () => {
    await rebuild();
    await t.http.post('/api/workflow-instances').send({ id: 'after', definitionId: 'd' }).expect(201);
    await t.http.get('/api/workflow-instances/after').expect(200);
    await t.http.delete('/api/workflow-instances/after').send({}).expect(202);
    await t.http.get('/api/workflow-instances/after').expect(404);
    await rebuild();
    expect((await t.http.get('/api/workflow-instances/after?deleted=include').expect(200)).body.isDeleted).toBe(true);
  });

  describe('of one projection', () => {
    const only = (name: string) => t.app.get(ProjectionRunner).projections.filter((p) => p.name === name);

    it('yields exactly the documents the live projection had and leaves the others untouched', async () => {
      const before = snapshot(t.dataDir);
      const result = await rebuildProjections(t.app.get(EventStore), t.app.get(ProjectionStore), only('instances'));
      expect(result).toMatchObject({ projections: ['instances'], activated: true, resumed: false });
      const after = snapshot(t.dataDir);
      expect(after.generations).toEqual({ ...before.generations, instances: result.generation });
      expect(result.generation).toBeGreaterThan(before.generations.instances);
      expect(after.docs).toEqual(before.docs);
      // The service keeps projecting into the new generation (instances) and the old ones (the rest).
      await t.http.post('/api/workflow-instances').send({ id: 'after', definitionId: 'd' }).expect(201);
      await t.http.post('/api/workflow-instances/after/bookmarks').send({ name: 'late' }).expect(201);
      expect((await t.http.get('/api/bookmarks?name=late').expect(200)).body.items).toEqual([expect.objectContaining({ instanceId: 'after' })]);
      await t.http.delete('/api/workflow-instances/after').send({}).expect(202);
      await t.http.get('/api/workflow-instances/after').expect(404);
      expect((await t.http.get('/api/bookmarks?name=late').expect(200)).body.items).toEqual([]);
      expect(snapshot(t.dataDir).generations).toEqual(after.generations);
    });

    it('resumes after an interruption and yields the same, readers staying on the old generation meanwhile', async () => {
      const before = snapshot(t.dataDir);
      const abort = new AbortController();
      const rebuild = (options: Parameters<typeof rebuildProjections>[3]) =>
        rebuildProjections(t.app.get(EventStore), t.app.get(ProjectionStore), only('bookmarks'), options);
      const first = await rebuild({ batchSize: 20, signal: abort.signal, onProgress: (p) => p.events > 0 && abort.abort() });
      expect(first).toMatchObject({ activated: false, events: 20 });
      expect(snapshot(t.dataDir)).toEqual(before);
      await t.http.get('/api/bookmarks?name=approve').expect(200);
      const second = await rebuild({ batchSize: 20 });
      expect(second).toMatchObject({ generation: first.generation, resumed: true, activated: true });
      const after = snapshot(t.dataDir);
      expect(after.generations).toEqual({ ...before.generations, bookmarks: first.generation });
      expect(after.docs).toEqual(before.docs);
    });
  });
});
