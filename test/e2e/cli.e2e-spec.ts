import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshot } from '../support/read-model-snapshot';
import { startTestApp } from '../support/test-app';

const CLI = join(__dirname, '../../dist/cli.js');

/** The real binary, as an operator runs it (`npm test` builds dist first). */
function wis(dataDir: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the wis command line on the embedded store', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does it first)`);
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'wis-cli-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('seeds demo data, reports projection status, purges, lists operations and prints an audit trail', async () => {
    const seeded = wis(dir, ['demo', 'seed', '--definitions', '2', '--instances', '50', '--blobs-per-instance', '1', '--bookmarks-per-instance', '1']);
    expect(seeded).toMatchObject({ code: 0 });
    expect(seeded.stdout).toMatch(/^seeded 2 definitions, 50 instances, \d+ events, 50 blobs/);
    expect(seeded.stderr).toMatch(/instances 50\/50 \(100%\)/);

    const status = wis(dir, ['projections', 'status', '--json']);
    expect(status.code).toBe(0);
    const rows = JSON.parse(status.stdout).items;
    expect(rows.map((r: { projection: string }) => r.projection)).toContain('instances');
    for (const r of rows) expect(r).toMatchObject({ lagEvents: 0, checkpoint: r.head });

    const t = await startTestApp({ dataDir: dir, env: { PURGE_GRACE_PERIOD_SECONDS: '0' } });
    const op = await t.http.post('/api/workflow-instances/bulk-delete').send({ filter: { definitionId: 'demo-def-1' } }).expect(202);
    await t.close({ keepData: true });

    const purged = wis(dir, ['purge', 'run-once', '--json'], { PURGE_GRACE_PERIOD_SECONDS: '0' });
    expect(purged.code).toBe(0);
    expect(JSON.parse(purged.stdout)).toMatchObject({ purged: 25, failed: 0 });
    expect(wis(dir, ['purge', 'run-once']).stdout).toMatch(/^nothing to purge/);

    const ops = wis(dir, ['operations', 'list', '--json']);
    expect(JSON.parse(ops.stdout).items[0]).toMatchObject({ id: op.body.id, state: 'Completed', purged: 25 });

    const rebuilt = wis(dir, ['projections', 'rebuild']);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/^rebuilt generation 1: \d+ events in [\d.]+s \(\d+ events\/s\); readers switched/);
    expect(rebuilt.stderr).toMatch(/positions \d+\/\d+ \(100%\)/);
    expect(JSON.parse(wis(dir, ['operations', 'list', '--json']).stdout).items[0]).toMatchObject({ id: op.body.id, state: 'Completed', purged: 25 });

    const audit = wis(dir, ['audit', 'instance', 'demo-0000000', '--json']);
    expect(JSON.parse(audit.stdout).items.map((i: { type: string }) => i.type)).toEqual(['SoftDeleted', 'PurgeBatchRequested', 'PurgeStarted', 'Purged']);
  });

  it.each([
    [['demo', 'seed', '--instances', 'lots'], /--instances must be a whole number/],
    [['bogus'], /unknown command 'bogus'/],
    [['audit', 'instance', 'nope'], /no workflow instance nope/],
    [['operations', 'list', '--limit', '-1'], /--limit must be a whole number/],
    [
      ['projections', 'rebuild', '--projection', 'instance'],
      /^error: unknown projection "instance"; valid names: definitions, instances, bookmarks, deletion-operations, purge-batches, audit\n$/,
    ],
  ])('exits 2 with one clear line for %j', (args, message) => {
    const r = wis(dir, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('names the bad setting on a configuration error', () => {
    const r = wis(dir, ['operations', 'list'], { PURGE_BATCH_SIZE: 'many' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: PURGE_BATCH_SIZE must be an integer, got "many"');
  });

  it('has --help for every command', () => {
    for (const args of [[], ['purge', 'run-once'], ['operations', 'list'], ['audit', 'instance'], ['projections', 'status'], ['projections', 'rebuild'], ['demo', 'seed']]) {
      const r = wis(dir, [...args, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: wis/);
    }
  });

  describe('projections rebuild --projection', () => {
    beforeEach(() => {
      const seeded = wis(dir, ['demo', 'seed', '--definitions', '2', '--instances', '10000', '--blobs-per-instance', '0', '--bookmarks-per-instance', '2']);
      expect(seeded).toMatchObject({ code: 0 });
    });

    it('rebuilds one projection into its own generation: the same documents, the others untouched', () => {
      const before = snapshot(dir);
      const r = wis(dir, ['projections', 'rebuild', '--projection', 'bookmarks']);
      expect(r.code).toBe(0);
      const [, generation] = /^rebuilt bookmarks into generation (\d+): \d+ events in [\d.]+s \(\d+ events\/s\); readers switched\n$/.exec(r.stdout) ?? [];
      expect(generation).toBeDefined();
      expect(r.stderr).toMatch(/positions \d+\/\d+ \(100%\) \d+\/s eta \d+s/);
      const after = snapshot(dir);
      expect(after.generations).toEqual({ ...before.generations, bookmarks: Number(generation) });
      expect(after.docs).toEqual(before.docs);
    });

    it('stops on Ctrl-C with readers unchanged, and a second run resumes it and yields the same', async () => {
      const before = snapshot(dir);
      const interrupted = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, 'projections', 'rebuild', '--projection', 'instances'], { env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'warn' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => {
          stderr += d;
          // Ctrl-C once the first batch is in (a line per 10%: 5,000 of about 30,000 positions).
          if (/positions [1-9]\d*\//.test(stderr) && !child.killed) child.kill('SIGINT');
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(interrupted.stdout).toMatch(/^interrupted after \d+ events; run the same command again to resume instances \(generation \d+\)\n$/);
      expect(interrupted.code).toBe(130);
      expect(interrupted.stderr).not.toMatch(/\(100%\)/);
      expect(snapshot(dir)).toEqual(before);

      const resumed = wis(dir, ['projections', 'rebuild', '--projection', 'instances']);
      expect(resumed.code).toBe(0);
      const [, generation] = /^rebuilt instances into generation (\d+) \(resumed\): \d+ events/.exec(resumed.stdout) ?? [];
      expect(interrupted.stdout).toContain(`(generation ${generation})`);
      const after = snapshot(dir);
      expect(after.generations).toEqual({ ...before.generations, instances: Number(generation) });
      expect(after.docs).toEqual(before.docs);
    });
  });
});
