import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blobFiles, instanceStreamProblems, readStore, rebuildAndSnapshot } from '../support/data-dir-inspection';
import { envInt, removeDataDir, seededRandom, seedFrom, ServerProcess, sleep, wis } from '../support/server-process';

/*
 * A load test bounded in time, on loopback only, against the real built server: workers run
 * creates, single and bulk deletes, restores, bookmark creates and resumes and list queries
 * while the purge runs (short grace period, so instances deleted early are purged during the
 * run). Each worker owns its instances, so the outcome of every instance is known exactly.
 * Afterwards: every 201/202/200 answered is reflected in the events and read models, and the
 * read models equal a fresh rebuild from the events. LOAD_SECONDS sets the duration.
 */
const LOAD_SECONDS = envInt('LOAD_SECONDS', 10);
const WORKERS = envInt('LOAD_WORKERS', 8);
const SEEDED = envInt('LOAD_SEEDED_INSTANCES', 1000);
const GRACE_SECONDS = 2;
const SEED = seedFrom('LOAD_SEED');

type Kind = 'create' | 'delete' | 'bulkDelete' | 'restore' | 'bookmark' | 'resume' | 'list';
const WEIGHTS: [Kind, number][] = [
  ['list', 30],
  ['create', 20],
  ['restore', 12],
  ['delete', 10],
  ['bookmark', 10],
  ['resume', 12],
  ['bulkDelete', 6],
];
/** Answers that are right for each kind, given that the purge may win a race with a restore or resume. */
const EXPECTED: Record<Kind, number[]> = {
  create: [201],
  delete: [202],
  bulkDelete: [202],
  // 409: the purge has begun on it (a race the purge may win); 404: already purged.
  restore: [200, 409, 404],
  bookmark: [201],
  resume: [200],
  list: [200],
};

interface Deleted {
  operationId: string;
  at: number;
  bookmarks: string[];
}

/** What one worker knows about the instances it alone touches. */
interface Worker {
  live: Set<string>;
  deleted: Map<string, Deleted>;
  /** Open bookmark id → instance id, live instances only. */
  bookmarks: Map<string, string>;
  /** Bookmarks resumed with a 200, by instance. */
  resumed: Map<string, string[]>;
  /** Instances restored with a 200 (restore of the last deletion). */
  restored: Map<string, string>;
  created: number;
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

describe('load on the real server while the purge runs', () => {
  let server: ServerProcess | null = null;
  let dataDir = '';
  afterAll(async () => {
    await server?.kill9();
    if (dataDir) removeDataDir(dataDir);
  });

  it(
    `answers ${WORKERS} concurrent clients for ${LOAD_SECONDS} s, loses nothing, and its read models equal a rebuild`,
    async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'wis-load-'));
      wis(dataDir, ['demo', 'seed', '--prefix', 'l', '--definitions', '2', '--instances', String(SEEDED), '--blobs-per-instance', '1', '--bookmarks-per-instance', '1']);
      server = await ServerProcess.start({
        dataDir,
        env: { PURGE_GRACE_PERIOD_SECONDS: String(GRACE_SECONDS), PURGE_INTERVAL_MS: '200', PURGE_BATCH_SIZE: '200' },
      });
      const s = server;
      const rnd = seededRandom(SEED);
      const workers: Worker[] = Array.from({ length: WORKERS }, () => ({ live: new Set(), deleted: new Map(), bookmarks: new Map(), resumed: new Map(), restored: new Map(), created: 0 }));
      for (let i = 0; i < SEEDED; i++) {
        const id = `l-${String(i).padStart(7, '0')}`;
        const w = workers[i % WORKERS];
        w.live.add(id);
        w.bookmarks.set(`${id}-bm-0`, id);
      }
      const blobNames = new Map<string, string[]>([...workers.flatMap((w) => [...w.live])].map((id) => [id, ['blob-0.json']]));

      const latencies = new Map<Kind, number[]>(WEIGHTS.map(([k]) => [k, []]));
      const unexpected: string[] = [];
      const statuses = new Map<string, number>();
      const operations = new Set<string>();
      const total = WEIGHTS.reduce((n, [, w]) => n + w, 0);
      const choose = (): Kind => {
        let r = rnd() * total;
        for (const [k, w] of WEIGHTS) if ((r -= w) < 0) return k;
        return 'list';
      };
      const any = <T>(xs: Iterable<T>): T | undefined => {
        const a = [...xs];
        return a.length ? a[Math.floor(rnd() * a.length)] : undefined;
      };
      const record = (kind: Kind, r: { status: number; ms: number; body: unknown }) => {
        latencies.get(kind)!.push(r.ms);
        statuses.set(`${kind} ${r.status}`, (statuses.get(`${kind} ${r.status}`) ?? 0) + 1);
        if (!EXPECTED[kind].includes(r.status) && unexpected.length < 20) unexpected.push(`${kind} ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      };
      const softDeleted = (w: Worker, ids: string[], operationId: string) => {
        for (const id of ids) {
          w.live.delete(id);
          const bookmarks = [...w.bookmarks].filter(([, i]) => i === id).map(([b]) => b);
          for (const b of bookmarks) w.bookmarks.delete(b);
          w.deleted.set(id, { operationId, at: Date.now(), bookmarks });
          w.restored.delete(id);
        }
        operations.add(operationId);
      };

      const step = async (n: number, w: Worker) => {
        const kind = choose();
        switch (kind) {
          case 'create': {
            const id = `w${n}-${++w.created}`;
            const r = await s.post('/api/workflow-instances', { id, definitionId: rnd() < 0.5 ? 'l-def-1' : 'l-def-2', name: `load ${id}`, correlationId: `c-${n}` });
            record(kind, r);
            if (r.status === 201) w.live.add(id);
            return;
          }
          case 'delete': {
            const id = any(w.live);
            if (!id) return;
            const r = await s.delete(`/api/workflow-instances/${id}`, { reason: 'load' });
            record(kind, r);
            if (r.status === 202) softDeleted(w, [id], r.body.id);
            return;
          }
          case 'bulkDelete': {
            const ids = [...new Set(Array.from({ length: 5 + Math.floor(rnd() * 20) }, () => any(w.live)).filter((x): x is string => !!x))];
            if (ids.length === 0) return;
            const r = await s.post('/api/workflow-instances/bulk-delete', { ids, reason: 'load bulk' });
            record(kind, r);
            if (r.status === 202) {
              if (r.body.softDeleted !== ids.length) unexpected.push(`bulk delete of ${ids.length} live instances soft-deleted ${r.body.softDeleted}`);
              softDeleted(w, ids, r.body.id);
            }
            return;
          }
          case 'restore': {
            // Mostly recent deletions (still restorable), sometimes older ones (the purge may win).
            const recent = [...w.deleted].filter(([, d]) => Date.now() - d.at < (GRACE_SECONDS * 1000) / 2);
            const pickFrom = recent.length && rnd() < 0.8 ? recent : [...w.deleted];
            const entry = any(pickFrom);
            if (!entry) return;
            const [id, d] = entry;
            const r = await s.post(`/api/workflow-instances/${id}/restore`);
            record(kind, r);
            if (r.status === 200) {
              w.deleted.delete(id);
              w.live.add(id);
              w.restored.set(id, d.operationId);
              for (const b of d.bookmarks) w.bookmarks.set(b, id);
            }
            return;
          }
          case 'bookmark': {
            const id = any(w.live);
            if (!id) return;
            const r = await s.post(`/api/workflow-instances/${id}/bookmarks`, { name: 'load-wait', payload: { n } });
            record(kind, r);
            if (r.status === 201) w.bookmarks.set(r.body.id, id);
            return;
          }
          case 'resume': {
            const entry = any(w.bookmarks);
            if (!entry) return;
            const [bookmarkId, id] = entry;
            const r = await s.post(`/api/bookmarks/${bookmarkId}/resume`, { input: { ok: true } });
            record(kind, r);
            if (r.status === 200) {
              w.bookmarks.delete(bookmarkId);
              w.resumed.set(id, [...(w.resumed.get(id) ?? []), bookmarkId]);
            }
            return;
          }
          case 'list': {
            const queries = [
              '/api/workflow-instances?limit=50',
              '/api/workflow-instances?limit=100&status=Running,Suspended&orderBy=updatedAt',
              `/api/workflow-instances?limit=20&definitionId=l-def-${1 + Math.floor(rnd() * 2)}`,
              '/api/workflow-instances?deleted=only&limit=50',
              `/api/workflow-instances?search=load&limit=25`,
              '/api/bookmarks?name=load-wait&limit=50',
              '/api/deletion-operations?limit=20',
            ];
            record(kind, await s.get(queries[Math.floor(rnd() * queries.length)]));
            return;
          }
        }
      };

      const started = Date.now();
      const until = started + LOAD_SECONDS * 1000;
      await Promise.all(
        workers.map(async (w, n) => {
          while (Date.now() < until) await step(n, w);
        }),
      );
      const elapsed = (Date.now() - started) / 1000;
      const all = [...latencies.values()].flat();
      const summary = WEIGHTS.map(([k]) => {
        const xs = latencies.get(k)!;
        return `${k} ${(xs.length / elapsed).toFixed(0)}/s p95 ${percentile(xs, 95).toFixed(1)} ms`;
      }).join(', ');
      process.stdout.write(
        `load (seed ${SEED}): ${WORKERS} clients, ${elapsed.toFixed(1)} s, ${all.length} requests, ${(all.length / elapsed).toFixed(0)} req/s, p95 ${percentile(all, 95).toFixed(1)} ms | ${summary}\n` +
          `  answers: ${[...statuses].map(([k, v]) => `${k}: ${v}`).join(', ')}\n`,
      );
      expect(unexpected).toEqual([]);
      for (const [k] of WEIGHTS) expect(latencies.get(k)!.length).toBeGreaterThan(0);

      // Settle: every deletion past its grace period is purged.
      await sleep(GRACE_SECONDS * 1000);
      const settleUntil = Date.now() + 60_000;
      for (;;) {
        const left = await s.get('/api/workflow-instances?deleted=only&limit=1');
        if (left.body.totalCount === 0) break;
        if (Date.now() > settleUntil) throw new Error(`the purge did not settle: ${left.body.totalCount} soft-deleted left`);
        await sleep(200);
      }

      // Every answer is reflected: live instances listed as live, deleted ones purged by the
      // operation that deleted them, resumed bookmarks resumed, restores recorded, operations complete.
      const live = new Set(workers.flatMap((w) => [...w.live]));
      const deleted = new Map(workers.flatMap((w) => [...w.deleted]));
      const listed = new Set<string>();
      for (let cursor: string | null = null; ; ) {
        const r: { status: number; body: { items: { id: string; isDeleted: boolean }[]; nextCursor: string | null } } = await s.get(
          `/api/workflow-instances?deleted=include&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(r.status).toBe(200);
        for (const v of r.body.items) {
          expect(v.isDeleted).toBe(false);
          listed.add(v.id);
        }
        if (!r.body.nextCursor) break;
        cursor = r.body.nextCursor;
      }
      expect([...listed].sort()).toEqual([...live].sort());
      const ops = await Promise.all([...operations].map((id) => s.get(`/api/deletion-operations/${id}`)));
      for (const op of ops) {
        expect(op.status).toBe(200);
        expect(op.body.state).toBe('Completed');
        expect(op.body.softDeleted).toBe(op.body.purged + op.body.restored);
      }
      await s.waitForProjections();
      await s.stop();
      server = null;

      const store = readStore(dataDir);
      expect(instanceStreamProblems(store)).toEqual([]);
      for (const id of live) {
        const events = store.streams.get(`workflowInstance-${id}`) ?? [];
        expect({ id, created: events[0]?.type }).toEqual({ id, created: 'WorkflowInstanceCreated' });
        expect(events.map((e) => e.type)).not.toContain('InstancePurged');
      }
      for (const [id, d] of deleted) {
        const events = store.streams.get(`workflowInstance-${id}`) ?? [];
        expect({ id, events: events.map((e) => [e.type, e.data.operationId]) }).toEqual({ id, events: [['InstancePurged', d.operationId]] });
      }
      for (const w of workers) {
        for (const [id, bookmarkIds] of w.resumed) {
          if (!live.has(id)) continue; // purged since: its history is gone by design
          const resumed = new Set(store.streams.get(`workflowInstance-${id}`)!.filter((e) => e.type === 'BookmarkResumed').map((e) => e.data.bookmarkId));
          for (const b of bookmarkIds) expect({ id, b, resumed: resumed.has(b) }).toEqual({ id, b, resumed: true });
        }
        for (const [id, operationId] of w.restored) {
          if (!live.has(id)) continue;
          const restores = store.streams.get(`workflowInstance-${id}`)!.filter((e) => e.type === 'WorkflowInstanceRestored' && e.data.operationId === operationId);
          expect({ id, restores: restores.length }).toEqual({ id, restores: 1 });
        }
      }
      const files = blobFiles(dataDir);
      expect([...files.keys()].filter((id) => !live.has(id))).toEqual([]);
      for (const [id, names] of files) expect({ id, names }).toEqual({ id, names: blobNames.get(id) ?? [] });

      const { before, after } = rebuildAndSnapshot(dataDir);
      // Readers were switched to the rebuilt generation of every read model.
      for (const c of Object.keys(before.generations)) expect(after.generations[c]).not.toBe(before.generations[c]);
      expect(after.docs).toEqual(before.docs);
    },
    (LOAD_SECONDS + 80) * 1000,
  );
});
