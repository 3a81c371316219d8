import { TestApp, loud, startTestApp } from '../support/test-app';

const DEF = 'order-process';

describe('workflow definitions and instances over HTTP (embedded store)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
    await t.http.post('/api/workflow-definitions').send({ id: DEF, name: 'Order process' }).expect(201);
  });
  afterEach(() => t.close());

  const create = (body: Record<string, unknown>) => t.http.post('/api/workflow-instances').send({ definitionId: DEF, ...body });

  it('creates a definition and lists it', async () => {
    const res = await t.http.get('/api/workflow-definitions').expect(200);
    expect(res.body.items).toEqual([expect.objectContaining({ id: DEF, name: 'Order process', isDeleted: false })]);
    await t.http.get(`/api/workflow-definitions/${DEF}`).expect(200);
    await t.http.get('/api/workflow-definitions/nope').expect(404);
  });

  it('runs an instance through its lifecycle and appends one event per step', async () => {
    const created = await create({ id: 'i-1', name: 'Order 1', correlationId: 'c-1' }).expect(201);
    expect(created.body).toMatchObject({ id: 'i-1', definitionId: DEF, name: 'Order 1', correlationId: 'c-1', status: 'Running', bookmarkCount: 0, isDeleted: false });

    const bm = await t.http.post('/api/workflow-instances/i-1/bookmarks').send({ name: 'approve', payload: { step: 1 } }).expect(201);
    expect(bm.body).toMatchObject({ instanceId: 'i-1', name: 'approve' });
    expect((await t.http.get('/api/workflow-instances/i-1')).body).toMatchObject({ status: 'Suspended', bookmarkCount: 1 });
    expect((await t.http.get('/api/bookmarks?name=approve')).body.items).toEqual([expect.objectContaining({ id: bm.body.id, instanceId: 'i-1' })]);

    const resumed = await t.http.post(`/api/bookmarks/${bm.body.id}/resume`).send({ input: { ok: true } }).expect(200);
    expect(resumed.body).toEqual({ bookmarkId: bm.body.id, instanceId: 'i-1', status: 'Running' });
    await t.http.post(`/api/bookmarks/${bm.body.id}/resume`).send({}).expect(404);

    const put = await t.http.put('/api/workflow-instances/i-1/blobs/input.json').set('content-type', 'application/json').send('{"a":1}').expect(201);
    expect(put.body).toMatchObject({ name: 'input.json', size: 7, contentType: 'application/json' });
    const blob = await t.http.get('/api/workflow-instances/i-1/blobs/input.json').buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(blob.status).toBe(200);
    expect((blob.body as Buffer).toString()).toBe('{"a":1}');
    expect((await t.http.get('/api/workflow-instances/i-1/blobs')).body.items).toEqual([expect.objectContaining({ name: 'input.json', size: 7 })]);

    const done = await t.http.post('/api/workflow-instances/i-1/complete').expect(200);
    expect(done.body).toMatchObject({ status: 'Completed', blobCount: 1 });
    expect(done.body.finishedAt).toEqual(expect.any(String));
    await t.http.post('/api/workflow-instances/i-1/cancel').expect(409);
    await t.http.post('/api/workflow-instances/i-1/bookmarks').send({ name: 'late' }).expect(409);

    const types = (await t.allEvents()).filter((e) => e.streamId === 'workflowInstance-i-1').map((e) => e.type);
    expect(types).toEqual(['WorkflowInstanceCreated', 'BookmarkCreated', 'BookmarkResumed', 'BlobAttached', 'WorkflowInstanceCompleted']);
    const meta = (await t.allEvents())[1].metadata;
    expect(meta).toEqual({ $correlationId: expect.any(String), $causationId: expect.any(String), actor: 'anonymous', schemaVersion: 1 });
  });

  it('refuses instances of unknown definitions and duplicate ids of another definition', async () => {
    await t.http.post('/api/workflow-instances').send({ definitionId: 'unknown' }).expect(404);
    await create({ id: 'dup' }).expect(201);
    await create({ id: 'dup' }).expect(201); // a retry: same instance, nothing new
    await t.http.post('/api/workflow-definitions').send({ id: 'other', name: 'Other' }).expect(201);
    await t.http.post('/api/workflow-instances').send({ definitionId: 'other', id: 'dup' }).expect(409);
    expect((await t.allEvents()).filter((e) => e.type === 'WorkflowInstanceCreated')).toHaveLength(1);
  });

  it('fault and cancel set the status and a finished instance cannot change again', async () => {
    await create({ id: 'f' }).expect(201);
    await create({ id: 'c' }).expect(201);
    expect((await t.http.post('/api/workflow-instances/f/fault').send({ error: 'boom' }).expect(200)).body.status).toBe('Faulted');
    expect((await t.http.post('/api/workflow-instances/c/cancel').expect(200)).body.status).toBe('Cancelled');
    await t.http.post('/api/workflow-instances/f/complete').expect(409);
    await t.http.post('/api/workflow-instances/nope/complete').expect(404);
  });

  describe('list filters and paging', () => {
    beforeEach(async () => {
      await t.http.post('/api/workflow-definitions').send({ id: 'billing', name: 'Billing' }).expect(201);
      for (let i = 0; i < 12; i++) {
        t.clock.advance(1000);
        await t.http
          .post('/api/workflow-instances')
          .send({ id: `inst-${String(i).padStart(2, '0')}`, definitionId: i % 3 === 0 ? 'billing' : DEF, name: `Order ${i}`, correlationId: `corr-${i % 2}` })
          .expect(201);
      }
      t.clock.advance(1000);
      await t.http.post('/api/workflow-instances/inst-01/complete').expect(200);
      await t.http.post('/api/workflow-instances/inst-02/fault').send({}).expect(200);
    });
    const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id);

    it('pages newest first with a cursor until the end', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { totalCount: number; nextCursor: string | null; items: { id: string }[] } } = await t.http.get('/api/workflow-instances').query({ limit: 5, ...(cursor ? { cursor } : {}) }).expect(200);
        expect(res.body.totalCount).toBe(12);
        seen.push(...ids(res));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `inst-${String(11 - i).padStart(2, '0')}`));
    });

    it('orders by updatedAt ascending', async () => {
      const res = await t.http.get('/api/workflow-instances').query({ orderBy: 'updatedAt', orderDirection: 'asc', limit: 12 }).expect(200);
      expect(ids(res).slice(-2)).toEqual(['inst-01', 'inst-02']);
    });

    it.each([
      [{ status: 'Completed' }, ['inst-01']],
      [{ status: 'Completed,Faulted' }, ['inst-02', 'inst-01']],
      [{ definitionId: 'billing' }, ['inst-09', 'inst-06', 'inst-03', 'inst-00']],
      [{ correlationId: 'corr-1', definitionId: 'billing' }, ['inst-09', 'inst-03']],
      [{ search: 'order 1' }, ['inst-11', 'inst-10', 'inst-01']],
      [{ search: 'INST-0' }, ['inst-09', 'inst-08', 'inst-07', 'inst-06', 'inst-05', 'inst-04', 'inst-03', 'inst-02', 'inst-01', 'inst-00']],
      [{ createdAfter: '2026-01-01T00:00:10.000Z' }, ['inst-11', 'inst-10', 'inst-09']],
      [{ createdBefore: '2026-01-01T00:00:03.000Z' }, ['inst-01', 'inst-00']],
    ])('filters by %j', async (query, expected) => {
      const res = await t.http.get('/api/workflow-instances').query(query).expect(200);
      expect(ids(res)).toEqual(expected);
      expect(res.body.totalCount).toBe(expected.length);
    });
  });

  describe('bad input is a 400 that names the field', () => {
    it.each([
      ['POST', '/api/workflow-definitions', { name: 42 }, /name must be a string/],
      ['POST', '/api/workflow-definitions', { name: 'x'.repeat(2001) }, /name must be at most 2000 characters \(STRING_MAX_LENGTH\)/],
      ['POST', '/api/workflow-definitions', { name: 'ok', extra: 1 }, /property extra should not exist/],
      ['POST', '/api/workflow-definitions', { name: 'ok', id: '../etc' }, /id must be/],
      ['POST', '/api/workflow-instances', { definitionId: DEF, name: ['a'] }, /name must be a string/],
      ['POST', '/api/workflow-instances', {}, /definitionId/],
      ['GET', '/api/workflow-instances?limit=100000', undefined, /limit must be at most 1000 \(PAGE_MAX_LIMIT\)/],
      ['GET', '/api/workflow-instances?limit=abc', undefined, /limit must be an integer/],
      ['GET', '/api/workflow-instances?cursor=garbage', undefined, /cursor is invalid/],
      ['GET', '/api/workflow-instances?status=Sleeping', undefined, /status must be one or more of/],
      ['GET', '/api/workflow-instances?createdAfter=yesterday', undefined, /createdAfter must be an ISO-8601/],
      ['GET', '/api/workflow-instances?deleted=maybe', undefined, /deleted must be one of/],
      ['GET', '/api/workflow-instances?orderBy=name', undefined, /orderBy must be one of/],
      ['GET', '/api/workflow-instances?color=red', undefined, /property color should not exist/],
    ])('%s %s %j', async (method, url, body, message) => {
      const req = method === 'POST' ? t.http.post(url).send(body as object) : t.http.get(url);
      const res = await req.expect(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message) });
    });

    it('answers malformed JSON with 400 and no stack trace', async () => {
      const res = await t.http.post('/api/workflow-definitions').set('content-type', 'application/json').send('{"name":').expect(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'request body is not valid JSON' });
    });

    it('a cursor made for another order is refused', async () => {
      for (let i = 0; i < 3; i++) await create({ id: `p${i}` }).expect(201);
      const first = await t.http.get('/api/workflow-instances?limit=1').expect(200);
      const res = await t.http.get(`/api/workflow-instances?limit=1&orderDirection=asc&cursor=${first.body.nextCursor}`).expect(400);
      expect(res.body.message).toMatch(/cursor/);
    });
  });

  it('keeps all data across a restart', async () => {
    await create({ id: 'keep', name: 'Kept' }).expect(201);
    await t.http.put('/api/workflow-instances/keep/blobs/state.bin').set('content-type', 'application/octet-stream').send(Buffer.from([1, 2, 3])).expect(201);
    const dataDir = t.dataDir;
    await t.close({ keepData: true });
    t = await startTestApp({ dataDir });
    expect((await t.http.get('/api/workflow-instances/keep').expect(200)).body).toMatchObject({ name: 'Kept', blobCount: 1 });
    expect((await t.http.get('/api/workflow-instances/keep/blobs').expect(200)).body.items).toHaveLength(1);
    await t.http.post('/api/workflow-instances').send({ definitionId: DEF, id: 'after-restart' }).expect(201);
    expect((await t.http.get('/api/workflow-instances').expect(200)).body.totalCount).toBe(2);
  });

  it('reports health with the storage mode and each store', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      storage: 'embedded',
      stores: { events: { kind: 'sqlite', status: 'up' }, readModels: { kind: 'sqlite', status: 'up' }, blobs: { kind: 'filesystem', status: 'up' } },
    });
    expect(loud(t.logs)).toEqual([]);
  });
});
