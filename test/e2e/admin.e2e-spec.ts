import { RebuildJob } from '../../src/modules/admin/rebuild-job';
import { TestApp, loud, startTestApp } from '../support/test-app';

const KEYS = 'ops:operator:operator-key-123456,root:admin:admin-key-12345678';

describe('admin API: purge and rebuild over HTTP', () => {
  let t: TestApp;
  const as = (key: string) => ({
    post: (url: string, body: object = {}) => t.http.post(url).set('Authorization', `Bearer ${key}`).send(body),
    get: (url: string) => t.http.get(url).set('Authorization', `Bearer ${key}`),
    del: (url: string, body: object = {}) => t.http.delete(url).set('Authorization', `Bearer ${key}`).send(body),
  });
  const ops = as('operator-key-123456');
  const root = as('admin-key-12345678');

  beforeEach(async () => {
    t = await startTestApp({ env: { API_KEYS: KEYS, PURGE_GRACE_PERIOD_SECONDS: '0' } });
    await ops.post('/api/workflow-definitions', { id: 'd', name: 'D' }).expect(201);
    for (const id of ['a', 'b', 'c']) await ops.post('/api/workflow-instances', { id, definitionId: 'd' }).expect(201);
  });
  afterEach(() => t.close());

  it('POST /api/purge/run purges what is due, for admins only', async () => {
    await ops.post('/api/workflow-instances/bulk-delete', { ids: ['a', 'b'] }).expect(202);
    const denied = await ops.post('/api/purge/run').expect(403);
    expect(denied.body.message).toBe('this action needs the admin role; key "ops" has operator');
    const run = await root.post('/api/purge/run').expect(200);
    expect(run.body).toMatchObject({ ran: true, skipped: null, purged: 2, failed: 0 });
    expect(run.body.batches).toHaveLength(1);
    await root.get('/api/workflow-instances/a?deleted=include').expect(404);
    await root.get('/api/workflow-instances/c').expect(200);
    const again = await root.post('/api/purge/run').expect(200);
    expect(again.body).toMatchObject({ ran: true, purged: 0, batches: [] });
    const bad = await root.post('/api/purge/run', { maxBatches: 0 }).expect(400);
    expect(bad.body.message).toBe('maxBatches must be at least 1');
    expect(loud(t.logs)).toEqual([]);
  });

  it('POST /api/projections/rebuild rebuilds in the background and switches readers; GET shows its progress', async () => {
    await ops.del('/api/workflow-instances/b').expect(202);
    await root.get('/api/projections/rebuild').expect(404);
    await ops.post('/api/projections/rebuild').expect(403);
    const before = (await root.get('/api/workflow-instances?deleted=include').expect(200)).body;
    const started = await root.post('/api/projections/rebuild').expect(202);
    expect(started.headers.location).toBe('/api/projections/rebuild');
    expect(started.body).toMatchObject({ state: 'Running', requestedBy: 'root', error: null });
    let job = started.body;
    for (let i = 0; i < 100 && job.state === 'Running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await ops.get('/api/projections/rebuild').expect(200)).body;
    }
    expect(job).toMatchObject({ state: 'Completed', generation: 1, error: null });
    expect(job.events).toBeGreaterThan(0);
    const after = (await root.get('/api/workflow-instances?deleted=include').expect(200)).body;
    expect(after).toEqual(before);
    // The live projector follows the new generation: a write after the switch is visible at once.
    await ops.post('/api/workflow-instances', { id: 'e', definitionId: 'd' }).expect(201);
    await root.get('/api/workflow-instances/e').expect(200);
    expect(loud(t.logs)).toEqual([]);
  });

  it('rebuilds one projection when asked, names the valid ones for a wrong name, and runs one rebuild at a time', async () => {
    const bad = await root.post('/api/projections/rebuild', { projection: 'nope' }).expect(400);
    expect(bad.body.message).toMatch(/^projection must be one of definitions, instances, .*, got "nope"$/);
    const before = (await root.get('/api/workflow-instances').expect(200)).body;
    const started = await root.post('/api/projections/rebuild', { projection: 'instances' }).expect(202);
    expect(started.body).toMatchObject({ state: 'Running', projection: 'instances' });
    let job = started.body;
    for (let i = 0; i < 100 && job.state === 'Running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await root.get('/api/projections/rebuild').expect(200)).body;
    }
    expect(job).toMatchObject({ state: 'Completed', error: null });
    expect((await root.get('/api/workflow-instances').expect(200)).body).toEqual(before);

    // One at a time: the same request again gets the running job, another one is refused.
    const jobs = t.app.get(RebuildJob);
    const first = jobs.start('root', 'bookmarks');
    expect(jobs.start('root', 'bookmarks')).toEqual({ started: false, job: first.job });
    expect(() => jobs.start('root')).toThrow('a rebuild of bookmarks is running; start this one when it has finished');
    await jobs.beforeApplicationShutdown();
  });
});
