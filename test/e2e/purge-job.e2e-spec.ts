import { SystemClock } from '../../src/shared/clock';
import { TestApp, TestClock, loud, startTestApp } from '../support/test-app';

/** A TestClock that follows real time, so the scheduled job sees grace periods pass. */
class RealTimeClock extends TestClock {
  private readonly system = new SystemClock();
  now() {
    return this.system.now();
  }
}

describe('the scheduled purge job', () => {
  let t: TestApp;
  afterEach(() => t.close());

  it('purges by itself on its interval once the grace period has passed, quietly', async () => {
    t = await startTestApp({ clock: new RealTimeClock(), env: { PURGE_ENABLED: 'true', PURGE_INTERVAL_MS: '100', PURGE_GRACE_PERIOD_SECONDS: '2' } });
    await t.http.post('/api/workflow-definitions').send({ id: 'd', name: 'D' }).expect(201);
    await t.http.post('/api/workflow-instances').send({ id: 'i', definitionId: 'd' }).expect(201);
    const op = await t.http.delete('/api/workflow-instances/i').send({}).expect(202);
    await new Promise((r) => setTimeout(r, 300));
    expect((await t.http.get(`/api/deletion-operations/${op.body.id}`).expect(200)).body.state).toBe('SoftDeleted');
    let state = '';
    for (let i = 0; i < 100 && state !== 'Completed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await t.http.get(`/api/deletion-operations/${op.body.id}`).expect(200)).body.state;
    }
    expect(state).toBe('Completed');
    expect(loud(t.logs)).toEqual([]);
    expect(t.logs.filter((l) => l.context === 'Purge' && l.level === 'info')).toEqual([
      expect.objectContaining({ msg: 'purge run finished', purged: 1, failed: 0 }),
    ]);
  });

  it('does not run when PURGE_ENABLED=false', async () => {
    t = await startTestApp({ clock: new RealTimeClock(), env: { PURGE_ENABLED: 'false', PURGE_INTERVAL_MS: '50', PURGE_GRACE_PERIOD_SECONDS: '0' } });
    await t.http.post('/api/workflow-definitions').send({ id: 'd', name: 'D' }).expect(201);
    await t.http.post('/api/workflow-instances').send({ id: 'i', definitionId: 'd' }).expect(201);
    const op = await t.http.delete('/api/workflow-instances/i').send({}).expect(202);
    await new Promise((r) => setTimeout(r, 400));
    expect((await t.http.get(`/api/deletion-operations/${op.body.id}`).expect(200)).body.state).toBe('SoftDeleted');
  });
});
