import { blobFiles, instanceStreamProblems, readStore } from '../support/data-dir-inspection';
import { removeDataDir, ServerProcess, sleep, wis } from '../support/server-process';

/*
 * SIGTERM to the real server (dist/main.js) while the purge works through a backlog: the batch in
 * hand finishes, the purge lease is released (a restart does not wait out its TTL), the process
 * exits 0, and the restart finishes the rest with nothing lost or left behind.
 */
const INSTANCES = 1500;
// Long enough that a lease left behind would stall the restarted purge far beyond the test's wait.
const ENV = { PURGE_BATCH_SIZE: '100', PURGE_INTERVAL_MS: '100', PURGE_LEASE_TTL_MS: '120000', SHUTDOWN_TIMEOUT_MS: '10000' };

describe('graceful shutdown (SIGTERM) of the real server', () => {
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.kill9();
    if (server) removeDataDir(server.dataDir);
  });

  it('during a purge: finishes the current batch, releases the lease, exits 0; a restart purges the rest at once', async () => {
    server = await ServerProcess.start({ env: { ...ENV, PURGE_ENABLED: 'false' } });
    const dataDir = server.dataDir;
    await server.stop();
    wis(dataDir, ['demo', 'seed', '--definitions', '1', '--instances', String(INSTANCES), '--blobs-per-instance', '2', '--bookmarks-per-instance', '1', '--prefix', 'sd']);
    server = await server.restart({ env: { PURGE_ENABLED: 'true' } });
    const del = await server.post('/api/workflow-instances/bulk-delete', { filter: { deleted: 'exclude' }, reason: 'shutdown test' });
    expect(del.status).toBe(202);
    expect(del.body.softDeleted).toBe(INSTANCES);

    // SIGTERM once the purge is under way, with requests in flight.
    for (let purged = 0; purged === 0; await sleep(20)) purged = readStore(dataDir).events.filter((e) => e.type === 'InstancePurged').length;
    const inFlight = Array.from({ length: 5 }, () =>
      server!.get('/api/workflow-instances?deleted=include&limit=1000').then(
        (r) => r.status,
        () => 'connection closed',
      ),
    );
    const stopped = await server.stop(30_000);
    expect(stopped).toEqual({ code: 0, signal: null, forced: false });
    // Accepted ones are answered; later ones are turned away (503) or find the port closed.
    for (const r of await Promise.all(inFlight)) expect([200, 503, 'connection closed']).toContain(r);
    expect(server.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    expect(server.loud()).toEqual([]);

    // Every batch claimed before the stop was finished: none is left open.
    const atStop = readStore(dataDir);
    const requested = atStop.events.filter((e) => e.type === 'HardDeleteBatchRequested').length;
    const completed = atStop.events.filter((e) => e.type === 'HardDeleteBatchCompleted').length;
    expect(completed).toBe(requested);
    const purgedAtStop = atStop.events.filter((e) => e.type === 'InstancePurged').length;
    expect(purgedAtStop).toBeGreaterThan(0);
    // It stopped after the batch in hand rather than working through the whole backlog.
    expect(purgedAtStop).toBeLessThan(INSTANCES);

    // The restart does not wait out the 120 s lease: the purge goes on within seconds.
    server = await server.restart();
    const until = Date.now() + 60_000;
    for (;;) {
      const op = await server.get(`/api/deletion-operations/${del.body.id}`);
      if (op.body.state === 'Completed') {
        expect(op.body).toMatchObject({ matched: INSTANCES, softDeleted: INSTANCES, purged: INSTANCES, purgeFailed: 0 });
        break;
      }
      if (Date.now() > until) throw new Error(`purge did not finish after the restart: ${JSON.stringify(op.body)}`);
      await sleep(100);
    }
    await server.stop();
    const end = readStore(dataDir);
    expect(end.events.filter((e) => e.type === 'InstancePurged')).toHaveLength(INSTANCES);
    expect(instanceStreamProblems(end)).toEqual([]);
    expect([...blobFiles(dataDir).entries()]).toEqual([]);
    expect(server.loud()).toEqual([]);
  }, 180_000);
});
