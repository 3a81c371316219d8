import { TestApp, loud, startTestApp } from '../support/test-app';

const DEF = 'order-process';
const GRACE = 3600;

describe('soft delete over HTTP (embedded store)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({ env: { PURGE_GRACE_PERIOD_SECONDS: String(GRACE) } });
    await t.http.post('/api/workflow-definitions').send({ id: DEF, name: 'Orders' }).expect(201);
    await t.http.post('/api/workflow-definitions').send({ id: 'billing', name: 'Billing' }).expect(201);
  });
  afterEach(() => t.close());

  const createMany = async (n: number, definitionId = DEF, prefix = 'i') => {
    for (let i = 0; i < n; i++) await t.http.post('/api/workflow-instances').send({ id: `${prefix}-${i}`, definitionId, name: `Order ${i}` }).expect(201);
  };
  const softDeletedEvents = async () => (await t.allEvents()).filter((e) => e.type === 'WorkflowInstanceSoftDeleted');

  it('deletes one instance: 202 with the operation, then 404, visible with deleted=include', async () => {
    await createMany(1);
    const res = await t.http.delete('/api/workflow-instances/i-0').send({ reason: 'customer asked' }).expect(202);
    expect(res.body).toMatchObject({
      kind: 'instance',
      state: 'SoftDeleted',
      requestedBy: 'anonymous',
      reason: 'customer asked',
      matched: 1,
      softDeleted: 1,
      alreadyDeleted: 0,
      notFound: 0,
      purged: 0,
      purgeAfter: new Date(t.clock.now().getTime() + GRACE * 1000).toISOString(),
    });
    await t.http.get('/api/workflow-instances/i-0').expect(404);
    const shown = await t.http.get('/api/workflow-instances/i-0?deleted=include').expect(200);
    expect(shown.body).toMatchObject({
      id: 'i-0',
      isDeleted: true,
      deletedAt: t.clock.now().toISOString(),
      deletedBy: 'anonymous',
      purgeAfter: res.body.purgeAfter,
      deletionOperationId: res.body.id,
    });
    expect((await t.http.get('/api/workflow-instances').expect(200)).body).toMatchObject({ items: [], totalCount: 0 });
    expect((await t.http.get('/api/workflow-instances?deleted=only').expect(200)).body.totalCount).toBe(1);
    expect((await t.http.get('/api/workflow-instances?deleted=include').expect(200)).body.totalCount).toBe(1);
    const [event] = await softDeletedEvents();
    expect(event.data).toEqual({
      instanceId: 'i-0',
      definitionId: DEF,
      operationId: res.body.id,
      deletedAt: t.clock.now().toISOString(),
      deletedBy: 'anonymous',
      reason: 'customer asked',
      purgeAfter: res.body.purgeAfter,
    });
    expect((await t.http.get(`/api/deletion-operations/${res.body.id}`).expect(200)).body).toEqual(res.body);
  });

  it('deleting an already deleted instance is an answer, appends nothing and logs nothing', async () => {
    await createMany(1);
    const first = await t.http.delete('/api/workflow-instances/i-0').send({}).expect(202);
    const before = (await t.allEvents()).length;
    const again = await t.http.delete('/api/workflow-instances/i-0').send({}).expect(202);
    expect(again.body).toMatchObject({ id: first.body.id, softDeleted: 0, alreadyDeleted: 1 });
    expect((await t.allEvents()).length).toBe(before);
    expect(loud(t.logs)).toEqual([]);
    await t.http.delete('/api/workflow-instances/unknown').send({}).expect(404);
  });

  it('bulk deletes by ids, counting unknown ids and duplicates once', async () => {
    await createMany(3);
    await t.http.delete('/api/workflow-instances/i-2').send({}).expect(202);
    const res = await t.http.post('/api/workflow-instances/bulk-delete').send({ ids: ['i-0', 'i-1', 'i-1', 'i-2', 'ghost'] }).expect(202);
    expect(res.body).toMatchObject({ kind: 'bulk', state: 'SoftDeleted', matched: 4, softDeleted: 2, alreadyDeleted: 1, notFound: 1 });
    expect(await softDeletedEvents()).toHaveLength(3);
  });

  it('bulk deletes by filter, and the list excludes them at once', async () => {
    await createMany(4);
    await createMany(2, 'billing', 'b');
    const res = await t.http.post('/api/workflow-instances/bulk-delete').send({ filter: { definitionId: DEF } }).expect(202);
    expect(res.body).toMatchObject({ matched: 4, softDeleted: 4, selection: { filter: { definitionId: DEF, deleted: 'exclude' } } });
    const list = await t.http.get('/api/workflow-instances').expect(200);
    expect(list.body.items.map((i: { id: string }) => i.id).sort()).toEqual(['b-0', 'b-1']);
  });

  it('dry run counts and changes nothing', async () => {
    await createMany(3);
    const before = (await t.allEvents()).length;
    const byFilter = await t.http.post('/api/workflow-instances/bulk-delete').send({ filter: { search: 'Order' }, dryRun: true }).expect(200);
    expect(byFilter.body).toEqual({ matched: 3 });
    const byIds = await t.http.post('/api/workflow-instances/bulk-delete').send({ ids: ['i-0', 'nope'], dryRun: true }).expect(200);
    expect(byIds.body).toEqual({ matched: 2, wouldSoftDelete: 1, alreadyDeleted: 0, notFound: 1 });
    expect((await t.allEvents()).length).toBe(before);
    expect((await t.http.get('/api/workflow-instances').expect(200)).body.totalCount).toBe(3);
  });

  it('10 concurrent identical bulk deletes append exactly one event per instance', async () => {
    await createMany(20);
    const ids = Array.from({ length: 20 }, (_, i) => `i-${i}`);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, k) => t.http.post('/api/workflow-instances/bulk-delete').send({ ids: k % 2 ? ids : [...ids].reverse() })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
    const events = await softDeletedEvents();
    expect(events).toHaveLength(20);
    expect(new Set(events.map((e) => e.data && (e.data as { instanceId: string }).instanceId)).size).toBe(20);
    expect(responses.reduce((n, r) => n + r.body.softDeleted, 0)).toBe(20);
    expect(responses.reduce((n, r) => n + r.body.alreadyDeleted, 0)).toBe(180);
    expect(loud(t.logs)).toEqual([]);
  });

  it('the same Idempotency-Key returns the same operation and appends nothing', async () => {
    await createMany(2);
    const body = { ids: ['i-0', 'i-1'], reason: 'cleanup' };
    const first = await t.http.post('/api/workflow-instances/bulk-delete').set('Idempotency-Key', 'key-1').send(body).expect(202);
    const count = (await t.allEvents()).length;
    const second = await t.http.post('/api/workflow-instances/bulk-delete').set('Idempotency-Key', 'key-1').send({ ...body, ids: ['i-1', 'i-0'] }).expect(202);
    expect(second.body).toEqual(first.body);
    expect((await t.allEvents()).length).toBe(count);
    const other = await t.http.post('/api/workflow-instances/bulk-delete').set('Idempotency-Key', 'key-1').send({ ids: ['i-0'] }).expect(409);
    expect(other.body.message).toMatch(/Idempotency-Key/);
  });

  it('deleting a definition soft-deletes every instance of it and refuses new ones', async () => {
    await createMany(3);
    await createMany(1, 'billing', 'b');
    const res = await t.http.delete(`/api/workflow-definitions/${DEF}`).send({ reason: 'retired' }).expect(202);
    expect(res.body).toMatchObject({ kind: 'definition', state: 'SoftDeleted', matched: 3, softDeleted: 3, selection: { definitionId: DEF } });
    await t.http.get(`/api/workflow-definitions/${DEF}`).expect(404);
    await t.http.post('/api/workflow-instances').send({ definitionId: DEF }).expect(404);
    expect((await t.http.get('/api/workflow-instances').expect(200)).body.items.map((i: { id: string }) => i.id)).toEqual(['b-0']);
    const again = await t.http.delete(`/api/workflow-definitions/${DEF}`).send({}).expect(202);
    expect(again.body.id).toBe(res.body.id);
    expect(await softDeletedEvents()).toHaveLength(3);
  });

  it('hides bookmarks and blobs of deleted instances and refuses commands on them', async () => {
    await createMany(1);
    const bm = await t.http.post('/api/workflow-instances/i-0/bookmarks').send({ name: 'wait' }).expect(201);
    await t.http.put('/api/workflow-instances/i-0/blobs/doc.txt').set('content-type', 'text/plain').send('hello').expect(201);
    await t.http.delete('/api/workflow-instances/i-0').send({}).expect(202);
    expect((await t.http.get('/api/bookmarks?name=wait').expect(200)).body.items).toEqual([]);
    await t.http.get('/api/workflow-instances/i-0/blobs').expect(404);
    await t.http.get('/api/workflow-instances/i-0/blobs/doc.txt').expect(404);
    await t.http.post('/api/workflow-instances/i-0/complete').expect(409);
    await t.http.post('/api/workflow-instances/i-0/bookmarks').send({ name: 'x' }).expect(409);
    await t.http.put('/api/workflow-instances/i-0/blobs/other.txt').set('content-type', 'text/plain').send('x').expect(409);
    void bm;
  });

  it('resuming a bookmark of a deleted instance is byte-for-byte the unknown-bookmark answer, appends nothing, logs nothing', async () => {
    await createMany(1);
    const bm = await t.http.post('/api/workflow-instances/i-0/bookmarks').send({ name: 'wait' }).expect(201);
    await t.http.delete('/api/workflow-instances/i-0').send({}).expect(202);
    const before = (await t.allEvents()).length;
    const logsBefore = t.logs.length;
    const deleted = await t.http.post(`/api/bookmarks/${bm.body.id}/resume`).send({ input: 1 });
    const unknown = await t.http.post('/api/bookmarks/00000000-0000-0000-0000-000000000000/resume').send({ input: 1 });
    expect(deleted.status).toBe(404);
    expect(deleted.text).toBe(unknown.text);
    expect(deleted.headers['content-type']).toBe(unknown.headers['content-type']);
    expect((await t.allEvents()).length).toBe(before);
    expect(t.logs.slice(logsBefore).filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('restores an instance exactly as it was', async () => {
    await createMany(1);
    await t.http.post('/api/workflow-instances/i-0/bookmarks').send({ name: 'wait' }).expect(201);
    await t.http.put('/api/workflow-instances/i-0/blobs/doc.txt').set('content-type', 'text/plain').send('hello').expect(201);
    const before = (await t.http.get('/api/workflow-instances/i-0').expect(200)).body;
    await t.http.delete('/api/workflow-instances/i-0').send({}).expect(202);
    const restored = await t.http.post('/api/workflow-instances/i-0/restore').expect(200);
    expect(restored.body).toEqual(before);
    expect((await t.http.get('/api/bookmarks?name=wait').expect(200)).body.items).toHaveLength(1);
    expect((await t.http.get('/api/workflow-instances/i-0/blobs/doc.txt').expect(200)).text).toBe('hello');
    await t.http.post('/api/workflow-instances/i-0/restore').expect(409);
    await t.http.post('/api/workflow-instances/ghost/restore').expect(404);
  });

  it('undo restores every instance of the operation and the operation shows Undone', async () => {
    await createMany(3);
    const op = await t.http.post('/api/workflow-instances/bulk-delete').send({ ids: ['i-0', 'i-1', 'i-2'] }).expect(202);
    await t.http.post('/api/workflow-instances/i-1/restore').expect(200);
    const undone = await t.http.post(`/api/deletion-operations/${op.body.id}/undo`).expect(200);
    expect(undone.body).toMatchObject({ state: 'Undone', softDeleted: 3, restored: 3 });
    expect((await t.http.get('/api/workflow-instances').expect(200)).body.totalCount).toBe(3);
    expect((await t.allEvents()).filter((e) => e.type === 'WorkflowInstanceRestored')).toHaveLength(3);
    const list = await t.http.get('/api/deletion-operations').expect(200);
    expect(list.body.items[0]).toMatchObject({ id: op.body.id, state: 'Undone' });
    await t.http.post('/api/deletion-operations/nope/undo').expect(404);
  });

  describe('invalid bulk bodies are 400 naming the field', () => {
    it.each([
      [{ ids: ['a'], filter: { status: 'Running' } }, /exactly one of ids or filter/],
      [{}, /exactly one of ids or filter/],
      [{ ids: 'i-0' }, /ids must be an array/],
      [{ ids: [1, 2] }, /each value in ids must be a string/],
      [{ ids: [] }, /ids must contain at least 1/],
      [{ filter: { status: 'Sleeping' } }, /filter\.status must be one or more of/],
      [{ filter: { createdAfter: 'soon' } }, /filter\.createdAfter must be an ISO-8601/],
      [{ filter: { wat: 1 } }, /filter\.property wat should not exist/],
      [{ ids: ['a'], dryRun: 'yes' }, /dryRun must be a boolean/],
      [{ ids: ['a'], reason: 'x'.repeat(2001) }, /reason must be at most 2000 characters \(STRING_MAX_LENGTH\)/],
    ])('%j', async (body, message) => {
      const res = await t.http.post('/api/workflow-instances/bulk-delete').send(body).expect(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message) });
    });

    it('100,001 ids', async () => {
      const ids = Array.from({ length: 100_001 }, (_, i) => `id-${i}`);
      const res = await t.http.post('/api/workflow-instances/bulk-delete').send({ ids }).expect(400);
      expect(res.body.message).toMatch(/ids must contain at most 100000 ids/);
    });

    it('a malformed Idempotency-Key', async () => {
      const res = await t.http.post('/api/workflow-instances/bulk-delete').set('Idempotency-Key', 'has spaces').send({ ids: ['a'] }).expect(400);
      expect(res.body.message).toMatch(/Idempotency-Key/);
    });
  });
});
