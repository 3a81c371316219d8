import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The build under test: `dist/` of this repository (`npm test` builds it), or `WIS_DIST_DIR`. */
const DIST = process.env.WIS_DIST_DIR || join(__dirname, '../../dist');
export const DIST_MAIN = join(DIST, 'main.js');
export const DIST_CLI = join(DIST, 'cli.js');

export interface LogLine {
  level: string;
  msg: string;
  [k: string]: unknown;
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  /** Wall-clock time of the round trip. */
  ms: number;
}

export interface ServerOptions {
  /** Reused across restarts; a fresh temp dir when absent. */
  dataDir?: string;
  /** Added to (and overriding) the defaults below. */
  env?: Record<string, string>;
  /** How long to wait for the "service started" line. */
  startTimeoutMs?: number;
}

/**
 * Settings every spawned server gets unless a test overrides them: loopback, no keys, an
 * immediate and frequent purge, no rate limit (a load test is one client address).
 */
const DEFAULT_ENV: Record<string, string> = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  PURGE_ENABLED: 'true',
  PURGE_GRACE_PERIOD_SECONDS: '0',
  PURGE_INTERVAL_MS: '100',
  PURGE_RETRY_BASE_MS: '0',
  PURGE_LEASE_TTL_MS: '1000',
  RATE_LIMIT_PER_MINUTE: '0',
};

/** A TCP port nobody listens on right now (the kernel's pick, released again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The real built service (`node dist/main.js`) in a child process on the embedded store. It is
 * up once it prints its JSON "service started" line; `kill9` simulates a crash, `stop` sends
 * SIGTERM, `restart` starts a new process on the same data directory.
 */
export class ServerProcess {
  readonly logs: LogLine[] = [];
  stderr = '';
  /** Lines of stdout that were not JSON (should stay empty). */
  readonly rawStdout: string[] = [];
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly dataDir: string,
    readonly env: Record<string, string>,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      }),
    );
    let buffered = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.trim()) continue;
        try {
          this.logs.push(JSON.parse(line));
        } catch {
          this.rawStdout.push(line);
        }
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (this.stderr += chunk));
  }

  static async start(options: ServerOptions = {}): Promise<ServerProcess> {
    if (!existsSync(DIST_MAIN)) throw new Error(`${DIST_MAIN} is missing: run npm run build (npm test does it first)`);
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'wis-proc-'));
    const port = await freePort();
    const env = { ...DEFAULT_ENV, ...options.env, DATA_DIR: dataDir, PORT: String(port) };
    // API_KEYS from the outer environment must not leak in: these servers run keyless on loopback.
    const { API_KEYS: _ignored, ...outer } = process.env;
    const child = spawn(process.execPath, [DIST_MAIN], { env: { ...outer, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ServerProcess(child, port, dataDir, options.env ?? {});
    await server.waitForLog((l) => l.msg === 'service started', options.startTimeoutMs ?? 30_000);
    return server;
  }

  /** A new process on the same data directory with the same settings (a fresh port). */
  restart(options: Omit<ServerOptions, 'dataDir'> = {}): Promise<ServerProcess> {
    if (this.alive) throw new Error('restart: the previous process is still running');
    return ServerProcess.start({ ...options, dataDir: this.dataDir, env: { ...this.env, ...options.env } });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  /** Resolves with the first log line (already seen or coming) that matches; rejects on exit or timeout. */
  waitForLog(match: (l: LogLine) => boolean, timeoutMs: number): Promise<LogLine> {
    const seen = this.logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const onData = () => {
        const hit = this.logs.find(match);
        if (hit) finish(() => resolve(hit));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`))), timeoutMs);
      const finish = (then: () => void) => {
        clearTimeout(timer);
        this.child.stdout!.off('data', onData);
        then();
      };
      // Runs after the line-splitting listener registered in the constructor.
      this.child.stdout!.on('data', onData);
      void this.exited.then((x) =>
        finish(() => reject(new Error(`server exited (code ${x.code}, signal ${x.signal}) before the expected log line; stderr: ${this.stderr.slice(-2000)}`))),
      );
    });
  }

  /** A crash: SIGKILL, then wait until the process is gone. */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM and wait for the exit; SIGKILL after `timeoutMs`. Returns how it ended. */
  async stop(timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; forced: boolean }> {
    if (!this.alive) return { ...this.exitInfo!, forced: false };
    this.child.kill('SIGTERM');
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    const x = await this.exited;
    clearTimeout(timer);
    return { ...x, forced };
  }

  async waitForExit() {
    return this.exited;
  }

  /** JSON over HTTP with Node's fetch. A string or Buffer body goes raw (blobs). */
  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const raw = typeof body === 'string' || Buffer.isBuffer(body);
    const t0 = performance.now();
    const res = await fetch(this.url + path, {
      method,
      headers: { ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : raw ? (body as string | Buffer) : JSON.stringify(body),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, ms };
  }

  get = <T = any>(path: string) => this.request<T>('GET', path);
  post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => this.request<T>('POST', path, body ?? {}, headers);
  put = <T = any>(path: string, body: string | Buffer, contentType = 'application/octet-stream') => this.request<T>('PUT', path, body, { 'content-type': contentType });
  delete = <T = any>(path: string, body: unknown = {}) => this.request<T>('DELETE', path, body);

  /** Polls /health until the projections have caught up with the head of the log. */
  async waitForProjections(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const h = await this.get<{ projections: { checkpoint: number | null; head: number | null } }>('/health');
      if (h.status === 200 && h.body.projections.checkpoint === h.body.projections.head) return;
      if (Date.now() > until) throw new Error(`projections did not catch up within ${timeoutMs} ms: ${JSON.stringify(h.body)}`);
      await sleep(50);
    }
  }

  /**
   * Polls /health until this process projects (holds the projector lease). After a crash the
   * dead process's lease has to expire first; returns how long that took.
   */
  async waitForProjector(timeoutMs = 30_000): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      const h = await this.get<{ projections: { active: boolean } }>('/health');
      if (h.status === 200 && h.body.projections.active) return Date.now() - t0;
      if (Date.now() - t0 > timeoutMs) throw new Error(`the projector did not start within ${timeoutMs} ms: ${JSON.stringify(h.body)}`);
      await sleep(50);
    }
  }

  /** Log lines at warn or error. */
  loud(): LogLine[] {
    return this.logs.filter((l) => l.level === 'warn' || l.level === 'error');
  }
}

/** Runs the built CLI (`dist/cli.js`) on a data directory and returns its output; throws on failure. */
export function wis(dataDir: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [DIST_CLI, ...args], {
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`wis ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export function removeDataDir(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}

/** mulberry32: a small seeded generator, so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from `env[name]` when set (to replay a run), else a fresh one. */
export function seedFrom(name: string): number {
  const raw = process.env[name];
  if (raw && /^\d+$/.test(raw)) return Number(raw);
  return Math.floor(Math.random() * 2 ** 31);
}

export function envInt(name: string, def: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}
