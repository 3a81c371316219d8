'use strict';
// Shared plumbing: the compiled service from dist/, the app booted in-process on a temp DATA_DIR,
// a small keep-alive HTTP client, seeded dataset templates and fresh copies of them.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');

/** The compiled service: dist/, or the snapshot of it this run took (BENCH_DIST, see snapshotDist). */
const distDir = () => process.env.BENCH_DIST || path.join(ROOT, 'dist');

/** A module of the compiled service (`npm run build` writes dist/). */
function service(rel) {
  const file = path.join(distDir(), rel);
  try {
    return require(file);
  } catch (e) {
    if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(file)) {
      throw new Error(`${path.relative(ROOT, file)}.js is missing: run \`npm run build\` first (npm run bench does)`);
    }
    throw e;
  }
}

require('reflect-metadata');
const { NestFactory } = require(require.resolve('@nestjs/core', { paths: [ROOT] }));

/** Logs of the in-process service go to stderr at warn and above, so stdout stays the table. */
function benchLogger() {
  const { JsonLogger } = service('shared/logging/json-logger');
  return new JsonLogger('warn', (line) => process.stderr.write(line + '\n'));
}

let tempRootDir = null;
let tempCount = 0;

/** This run's temp root (created on first use; BENCH_TMPDIR or the OS temp dir holds it). */
function tempRoot() {
  if (!tempRootDir) tempRootDir = fs.mkdtempSync(path.join(process.env.BENCH_TMPDIR || os.tmpdir(), 'wis-bench-'));
  return tempRootDir;
}

/** A new empty directory under this run's temp root. */
function tempDir(label) {
  const dir = path.join(tempRoot(), `${String(++tempCount).padStart(3, '0')}-${label}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function removeDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
}

function cleanupAll() {
  if (tempRootDir) removeDir(tempRootDir);
  tempRootDir = null;
}

/**
 * Copies dist/ once at the start (children inherit BENCH_DIST), so a rebuild of the working tree
 * during a long run cannot mix two versions of the service in one set of figures. The copy
 * resolves its packages through a link to the repository's node_modules.
 */
function snapshotDist() {
  const src = path.join(ROOT, 'dist');
  if (!fs.existsSync(path.join(src, 'app.module.js'))) throw new Error('dist/app.module.js is missing: run `npm run build` first (npm run bench does)');
  const base = path.join(tempRoot(), 'service');
  fs.mkdirSync(base, { recursive: true });
  fs.cpSync(src, path.join(base, 'dist'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(base, 'node_modules'), 'dir');
  process.env.BENCH_DIST = path.join(base, 'dist');
  return process.env.BENCH_DIST;
}

/** The commit measured and whether the working tree's src/ differs from it. */
function sourceVersion() {
  const git = (...a) => spawnSync('git', a, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--', 'src');
  return { commit: head.status === 0 ? head.stdout.trim() : null, uncommittedSrcChanges: dirty.status === 0 ? dirty.stdout.trim().split('\n').filter(Boolean).length : null };
}

/** Bytes used under `dir` (du), for the report. */
function diskUsage(dir) {
  const r = spawnSync('du', ['-sk', dir], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.split(/\s+/)[0]) * 1024 : null;
}

/**
 * Boots the whole service in this process on `dataDir` (embedded store), listening on an
 * ephemeral port. The purge job is off: scenarios run it explicitly. `configure(app)` runs
 * before the routes are mapped (the cascade baseline mounts its handler there).
 */
async function startApp(dataDir, { env = {}, configure } = {}) {
  const { AppModule } = service('app.module');
  const { loadConfig } = service('config/app.config');
  const { configureHttp } = service('shared/http/configure-http');
  const config = loadConfig({
    STORAGE: 'embedded',
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    PURGE_ENABLED: 'false',
    PURGE_GRACE_PERIOD_SECONDS: '0',
    ...env,
  });
  const logger = benchLogger();
  const app = await NestFactory.create(AppModule.forConfig(config, logger), { logger, bodyParser: false });
  configureHttp(app, config);
  if (configure) configure(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address();
  const client = httpClient(`http://127.0.0.1:${port}`);
  return {
    app,
    config,
    http: client,
    close: async () => {
      client.close();
      await app.close();
    },
  };
}

/** Minimal keep-alive JSON client on node:http (less overhead per request than fetch). */
function httpClient(base) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const request = (method, url, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
      const req = http.request(
        base + url,
        {
          method,
          agent,
          headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), ...headers },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json = null;
            try {
              json = text ? JSON.parse(text) : null;
            } catch {
              json = null;
            }
            resolve({ status: res.statusCode, body: json, text });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  return {
    get: (url) => request('GET', url),
    post: (url, body, headers) => request('POST', url, body, headers),
    close: () => agent.destroy(),
  };
}

/** Throws with the response when the status is not the expected one. */
function expectStatus(res, status, what) {
  if (res.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${res.status}: ${res.text.slice(0, 300)}`);
  }
  return res.body;
}

/** Seeds `dataDir` through the service's DemoSeeder (the real write path: events, blobs, read models). */
async function seedDir(dataDir, options, log) {
  const { DemoSeeder } = service('modules/demo/demo-seeder');
  const started = performance.now();
  const app = await startApp(dataDir);
  let lastShown = 0;
  try {
    const r = await app.app.get(DemoSeeder).seed({
      ...options,
      onProgress: (done, total) => {
        if (total >= 20000 && (done - lastShown >= total / 5 || done === total)) {
          lastShown = done;
          log(`  seeding ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} instances`);
        }
      },
    });
    return { ...r, seconds: (performance.now() - started) / 1000 };
  } finally {
    await app.close();
  }
}

/**
 * Seeded datasets, seeded once per shape and copied for each run: a copy of a closed SQLite file
 * plus its blob files is the same data as a fresh seed, and far cheaper than seeding 100,000
 * instances (300,000 fsynced blob files) again for every run.
 */
class Templates {
  constructor(log) {
    this.log = log;
    this.dirs = new Map();
    this.seedInfo = new Map();
  }

  async get(key, options) {
    if (!this.dirs.has(key)) {
      const dir = tempDir(`template-${key}`);
      this.log(`  seeding template ${key}: ${options.instances.toLocaleString('en-US')} instances, ${options.blobsPerInstance} blobs and ${options.bookmarksPerInstance} bookmarks each`);
      const info = await seedDir(dir, options, this.log);
      this.log(`  seeded ${info.events.toLocaleString('en-US')} events, ${info.blobs.toLocaleString('en-US')} blobs in ${info.seconds.toFixed(1)} s`);
      this.dirs.set(key, dir);
      const db = path.join(dir, 'workflows.db');
      this.seedInfo.set(key, { ...info, diskBytes: diskUsage(dir), dbBytes: fs.existsSync(db) ? fs.statSync(db).size : null });
    }
    return this.dirs.get(key);
  }

  /**
   * A fresh DATA_DIR holding a copy of the template. With `shareBlobs` the blob directory is a
   * symbolic link to the template's instead of a copy: only for runs whose work never touches a
   * blob file (the bulk soft delete), where copying and then removing 300,000 files per run would
   * only add minutes of disk work around the measurement.
   */
  async fresh(key, options, label, { shareBlobs = false } = {}) {
    const template = await this.get(key, options);
    const dir = tempDir(label);
    for (const entry of fs.readdirSync(template)) {
      if (shareBlobs && entry === 'blobs') {
        fs.symlinkSync(path.join(template, entry), path.join(dir, entry), 'dir');
        continue;
      }
      const r = spawnSync('cp', ['-a', path.join(template, entry), path.join(dir, entry)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`copying the ${key} template failed: ${r.stderr}`);
    }
    // The copy's dirty pages (300,000 blob files at the largest size) would otherwise be written
    // back during the measured run and compete with its fsyncs: flush them before it starts.
    spawnSync('sync');
    return dir;
  }

  /** How long each template took to seed and how big it is, for the report. */
  info() {
    return Object.fromEntries([...this.seedInfo].map(([k, v]) => [k, { instances: v.instances, events: v.events, blobs: v.blobs, seconds: Number(v.seconds.toFixed(1)), diskBytes: v.diskBytes, dbBytes: v.dbBytes }]));
  }

  drop(key) {
    const dir = this.dirs.get(key);
    if (dir) removeDir(dir);
    this.dirs.delete(key);
  }
}

/** Resolves after the event loop has had a turn (lets sockets and timers settle between runs). */
const tick = () => new Promise((r) => setImmediate(r));

module.exports = {
  ROOT,
  service,
  snapshotDist,
  sourceVersion,
  benchLogger,
  tempDir,
  tempRoot,
  removeDir,
  cleanupAll,
  diskUsage,
  startApp,
  httpClient,
  expectStatus,
  seedDir,
  Templates,
  tick,
};
