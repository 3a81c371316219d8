import Database from 'better-sqlite3';
import { join } from 'node:path';
import { TestApp, loud, startTestApp } from '../support/test-app';

/**
 * The embedded store becomes unusable for writes when another process holds its write lock (a
 * stuck tool, a backup taking an exclusive lock). That is a real outage of the event store on this
 * machine; the same 503 path serves EventStoreDB and MongoDB outages.
 */
describe('event store unavailable (embedded: the file is locked by another process)', () => {
  let t: TestApp;
  let other: Database.Database;

  beforeEach(async () => {
    t = await startTestApp({ env: { SQLITE_BUSY_TIMEOUT_MS: '100' } });
    await t.http.post('/api/workflow-definitions').send({ id: 'd', name: 'D' }).expect(201);
    await t.http.post('/api/workflow-instances').send({ id: 'a', definitionId: 'd' }).expect(201);
    other = new Database(join(t.dataDir, 'workflows.db'));
  });
  afterEach(async () => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    await t.close();
  });

  it('answers 503 naming the store, writes nothing, reports it on /health, and recovers by itself', async () => {
    const before = (await t.allEvents()).length;
    other.exec('BEGIN EXCLUSIVE');

    const create = await t.http.post('/api/workflow-instances').send({ id: 'b', definitionId: 'd' }).expect(503);
    expect(create.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/^embedded store unavailable \(SQLITE_BUSY: .*\); retry later$/) });
    expect(create.headers['retry-after']).toBe('2');
    await t.http.delete('/api/workflow-instances/a').send({}).expect(503);
    await t.http.post('/api/workflow-instances/bulk-delete').send({ ids: ['a'] }).expect(503);

    const health = await t.http.get('/health').expect(503);
    expect(health.body).toMatchObject({ status: 'degraded', stores: { events: { status: 'down' } } });
    // WAL: reads go on from the last committed state while writes are refused.
    await t.http.get('/api/workflow-instances/a').expect(200);

    other.exec('ROLLBACK');
    expect((await t.allEvents()).length).toBe(before);
    await t.http.get('/api/workflow-instances/b').expect(404);

    await t.http.get('/health').expect(200);
    await t.http.post('/api/workflow-instances').send({ id: 'b', definitionId: 'd' }).expect(201);
    await t.http.delete('/api/workflow-instances/a').send({}).expect(202);
    const list = await t.http.get('/api/workflow-instances').expect(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual(['b']);

    // One error line for the outage, not one per refused request; no stack traces.
    const lines = loud(t.logs);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'a store is unavailable; answering 503' });
  });
});
