import fc from 'fast-check';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ID_PATTERN } from '../../src/modules/definitions/definitions.dto';
import { TestApp, startTestApp } from '../support/test-app';
import { errorShapeProblem, show, snapshot } from './security-support';

/**
 * Property-based tests of the HTTP input: random and near-valid bodies, query strings, path ids,
 * malformed JSON and wrong content types. Properties: never a 5xx; every 4xx is JSON
 * `{ statusCode, error, message }`; a 400 for a body where we broke one field names that field; a
 * refused request writes nothing (event log, read models, blob files). fast-check prints the seed
 * and the shrunk counterexample on failure; replay with `FC_SEED=<seed> npx jest test/security`.
 */

const ADMIN = 'admin-key-3f9e1c7b5a2d';
const AUTH = `Bearer ${ADMIN}`;
const STRING_MAX = 64;
const FC = (numRuns: number, seconds: number): fc.Parameters<unknown> => ({
  numRuns,
  seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined,
  // Bounds the wall time on a loaded machine (fewer runs, still a pass); a failure found is still reported.
  interruptAfterTimeLimit: seconds * 1000,
});

let t: TestApp;
let op: string;

/** Percent-encodes every byte outside the unreserved set, so any string stays one path segment or one query value. */
const pct = (s: string) =>
  Array.from(Buffer.from(s, 'utf8'))
    .map((b) => (b < 128 && /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(join(dir, e.name)) : 1), 0);
}

/** The full state a refused request must leave as it was: event log, read models, blob files. */
async function state() {
  return { ...(await snapshot(t, AUTH)), blobFiles: countFiles(join(t.dataDir, 'blobs')) };
}

/** The cheap part of it, checked around every single request: read models and blobs change only with an appended event or a blob file. */
async function writes() {
  return { eventHead: await t.events.headPosition(), blobFiles: countFiles(join(t.dataDir, 'blobs')) };
}

/** Runs a property whose every request must be refused, then checks the full state is as it was before the first. */
async function allRefused(run: () => Promise<void>) {
  const before = await state();
  await run();
  expect(await state()).toEqual(before);
}

interface Sent {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  /** Raw text sent as is (JSON or not). */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

const describeSent = (s: Sent) => `${s.method.toUpperCase()} ${s.path}${s.contentType !== undefined ? ` [${s.contentType}]` : ''} ${s.text !== undefined ? s.text.slice(0, 300) : ''}`;

async function sendRaw(s: Sent) {
  let req = t.http[s.method](s.path).set('Authorization', AUTH);
  for (const [k, v] of Object.entries(s.headers ?? {})) req = req.set(k, v);
  if (s.contentType !== undefined) req = req.set('content-type', s.contentType);
  return s.text !== undefined ? req.send(s.text) : req;
}

/** Sends, then checks what every answer must satisfy: no 5xx; a 4xx is a well-formed error and appended nothing. */
async function exchange(s: Sent) {
  const before = await writes();
  const res = await sendRaw(s);
  const what = describeSent(s);
  if (res.status >= 500) throw new Error(`server error for ${what}: ${show(res)}`);
  if (res.status >= 400) {
    const problem = errorShapeProblem(res);
    if (problem) throw new Error(`for ${what}: ${problem}`);
    const after = await writes();
    if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`refused with ${res.status}, yet wrote (${JSON.stringify(before)} -> ${JSON.stringify(after)}): ${what}`);
  }
  return res;
}

// ---- arbitraries -------------------------------------------------------------------------------

const json = fc.jsonValue({ maxDepth: 3 });
const finiteNumber = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const nonStringNonNull = fc.oneof(finiteNumber, fc.boolean(), fc.array(json, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 3 }));
const nonString = fc.oneof(nonStringNonNull, fc.constant(null));
const tooLong = fc.oneof(fc.string({ minLength: STRING_MAX + 1, maxLength: STRING_MAX * 3 }), fc.constant('x'.repeat(200_000)));
const badId = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }).filter((s) => !ID_PATTERN.test(s)),
  fc.constant('a'.repeat(101)),
  fc.constant(''),
);

/** A broken value and the name the 400's message must contain. */
interface Break {
  value: unknown;
  field: string;
}
type Kind = 'requiredText' | 'text' | 'requiredId' | 'id' | 'bool' | 'ids' | 'filter' | 'batches' | 'any';

const FILTER_BREAKS: fc.Arbitrary<Break> = fc.oneof(
  fc.oneof(fc.constant(null), finiteNumber, fc.string(), fc.boolean(), fc.array(json, { maxLength: 3 })).map((value) => ({ value, field: 'filter' })),
  fc.constantFrom('Bogus', 'running', '', 'Running,,Completed').map((s) => ({ value: { status: s }, field: 'filter.status' })),
  fc.constantFrom('yesterday', '2026-W01-1', '20260101', '2026-02-30T00:00:00Z', '2026-01-01T10:00,5').map((s) => ({ value: { createdAfter: s }, field: 'filter.createdAfter' })),
  fc.constantFrom('', 'x'.repeat(STRING_MAX + 1)).map((s) => ({ value: { search: s }, field: 'filter.search' })),
  nonStringNonNull.map((v) => ({ value: { deleted: v }, field: 'filter.deleted' })),
  nonStringNonNull.map((v) => ({ value: { definitionId: v }, field: 'filter.definitionId' })),
  fc.constantFrom('junk', 'limit', 'cursor', 'ids').map((k) => ({ value: { [k]: 1 }, field: `filter.property ${k}` })),
);

function breaks(kind: Kind, field: string): fc.Arbitrary<Break> | null {
  const named = (a: fc.Arbitrary<unknown>) => a.map((value) => ({ value, field }));
  switch (kind) {
    case 'requiredText':
      return named(fc.oneof(nonString, tooLong, fc.constant('')));
    case 'text':
      return named(fc.oneof(nonStringNonNull, tooLong));
    case 'requiredId':
      return named(fc.oneof(nonString, badId));
    case 'id':
      return named(fc.oneof(nonStringNonNull, badId));
    case 'bool':
      return named(fc.oneof(nonString, fc.constantFrom('true', 'false', 1, 0)).filter((v) => typeof v !== 'boolean'));
    case 'ids':
      return named(
        fc.oneof(
          fc.oneof(fc.constant(null), finiteNumber, fc.string(), fc.boolean(), fc.dictionary(fc.string({ maxLength: 5 }), json, { maxKeys: 3 })),
          fc.constant([]),
          fc.tuple(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), nonString).map(([ok, bad]) => [...ok, bad]),
          fc.constant(['ok', 'y'.repeat(101)]),
        ),
      );
    case 'filter':
      return FILTER_BREAKS;
    case 'batches':
      return named(
        fc.oneof(
          fc.integer({ max: 0 }),
          fc.integer({ min: 1001 }),
          fc.double({ min: 1.01, max: 999.99, noNaN: true }).filter((d) => !Number.isInteger(d)),
          fc.string({ minLength: 1 }).filter((s) => Number.isNaN(Number(s))),
          fc.dictionary(fc.string({ maxLength: 5 }), json, { minKeys: 1, maxKeys: 2 }),
        ),
      );
    case 'any':
      return null;
  }
}

interface BodyEndpoint {
  method: 'post' | 'delete';
  path: () => string;
  /** A body the endpoint accepts; each break replaces one field of it. */
  valid: Record<string, unknown>;
  fields: Record<string, Kind>;
}

/** Every endpoint that reads a JSON body. Destructive ones aim at unknown ids: validation runs first, a valid body then answers 404. */
const BODY_ENDPOINTS: Record<string, BodyEndpoint> = {
  'create definition': { method: 'post', path: () => '/api/workflow-definitions', valid: { name: 'N' }, fields: { name: 'requiredText', id: 'id' } },
  'delete definition': { method: 'delete', path: () => '/api/workflow-definitions/no-such-def', valid: {}, fields: { reason: 'text' } },
  'create instance': { method: 'post', path: () => '/api/workflow-instances', valid: { definitionId: 'd' }, fields: { definitionId: 'requiredId', name: 'text', correlationId: 'text', id: 'id' } },
  'create bookmark': { method: 'post', path: () => '/api/workflow-instances/i/bookmarks', valid: { name: 'b' }, fields: { name: 'requiredText', payload: 'any' } },
  fault: { method: 'post', path: () => '/api/workflow-instances/ghost/fault', valid: {}, fields: { error: 'text' } },
  resume: { method: 'post', path: () => '/api/bookmarks/ghost/resume', valid: {}, fields: { input: 'any' } },
  'delete instance': { method: 'delete', path: () => '/api/workflow-instances/ghost', valid: {}, fields: { reason: 'text' } },
  'bulk delete by ids': { method: 'post', path: () => '/api/workflow-instances/bulk-delete', valid: { ids: ['ghost'], dryRun: true }, fields: { ids: 'ids', reason: 'text', dryRun: 'bool' } },
  'bulk delete by filter': { method: 'post', path: () => '/api/workflow-instances/bulk-delete', valid: { filter: { status: 'Running' }, dryRun: true }, fields: { filter: 'filter', reason: 'text', dryRun: 'bool' } },
  'run purge': { method: 'post', path: () => '/api/purge/run', valid: {}, fields: { maxBatches: 'batches' } },
};

/** Routes that take no body: whatever is sent must not matter. */
const BODYLESS: { method: 'post'; path: () => string }[] = [
  { method: 'post', path: () => '/api/workflow-instances/ghost/complete' },
  { method: 'post', path: () => '/api/workflow-instances/ghost/cancel' },
  { method: 'post', path: () => '/api/workflow-instances/ghost/restore' },
  { method: 'post', path: () => `/api/deletion-operations/ghost-${op.slice(0, 4)}/undo` },
];

const ALL_FIELDS = [...new Set(Object.values(BODY_ENDPOINTS).flatMap((e) => Object.keys(e.fields)))];

/** One near-valid body: a valid one with exactly one field broken, one required field left out, or one unknown field added. */
const nearValid: fc.Arbitrary<{ endpoint: string; body: Record<string, unknown>; field: string }> = fc.constantFrom(...Object.keys(BODY_ENDPOINTS)).chain((endpoint) => {
  const e = BODY_ENDPOINTS[endpoint];
  const broken = Object.entries(e.fields).flatMap(([field, kind]) => {
    const b = breaks(kind, field);
    return b ? [b.map((x) => ({ endpoint, body: { ...e.valid, [field]: x.value }, field: x.field }))] : [];
  });
  const missing = Object.entries(e.fields)
    .filter(([, kind]) => kind.startsWith('required'))
    .map(([field]) => {
      const body = { ...e.valid };
      delete body[field];
      return fc.constant({ endpoint, body, field });
    });
  const unknown = fc
    .tuple(
      fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('isDeleted', 'actor', 'status', 'deletedBy', 'purgeAfter')),
      json,
    )
    // Names of Object.prototype members (constructor, toString, ...) pass class-validator's whitelist
    // and are dropped unread; __proto__ is stripped by Nest. Neither reaches a handler.
    .filter(([k]) => !Object.hasOwn(e.fields, k) && !(k in Object.prototype))
    .map(([k, v]) => ({ endpoint, body: { ...e.valid, [k]: v }, field: `property ${k} should not exist` }));
  return fc.oneof(...broken, ...missing, unknown);
});

// ---- tests -------------------------------------------------------------------------------------

describe('HTTP input properties', () => {
  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEYS: `root:admin:${ADMIN}`, RATE_LIMIT_PER_MINUTE: '0', STRING_MAX_LENGTH: String(STRING_MAX) } });
    const post = (url: string, body: object = {}) => t.http.post(url).set('Authorization', AUTH).send(body);
    await post('/api/workflow-definitions', { id: 'd', name: 'D' }).expect(201);
    for (const id of ['i', 'gone', 'other']) await post('/api/workflow-instances', { id, definitionId: 'd', correlationId: `c-${id}` }).expect(201);
    await t.http.put('/api/workflow-instances/i/blobs/a.txt').set('Authorization', AUTH).set('content-type', 'text/plain').send('bytes').expect(201);
    await post('/api/workflow-instances/i/bookmarks', { name: 'wait' }).expect(201);
    op = (await t.http.delete('/api/workflow-instances/gone').set('Authorization', AUTH).send({}).expect(202)).body.id;
  });
  afterAll(() => t.close());

  it('a near-valid body (one field wrong, missing or unknown) is a 400 that names the field, and writes nothing', async () => {
    await allRefused(() =>
      fc.assert(
        fc.asyncProperty(nearValid, async ({ endpoint, body, field }) => {
          const e = BODY_ENDPOINTS[endpoint];
          const s: Sent = { method: e.method, path: e.path(), text: JSON.stringify(body), contentType: 'application/json' };
          const res = await exchange(s);
          if (res.status !== 400) throw new Error(`expected 400 for ${endpoint} with ${field} broken, got ${show(res)} for ${describeSent(s)}`);
          if (!res.body.message.includes(field)) throw new Error(`400 message "${res.body.message}" does not name ${field} (${describeSent(s)})`);
        }),
        FC(1000, 8),
      ),
    );
  }, 60_000);

  it('a random JSON body never gets a 5xx, errors are well formed, and refused ones write nothing', async () => {
    const targets = [...Object.values(BODY_ENDPOINTS), ...BODYLESS];
    const body = fc.oneof(
      json,
      fc.object({ maxDepth: 3 }),
      fc.dictionary(fc.constantFrom(...ALL_FIELDS, 'filter', 'ids'), json, { maxKeys: 4 }),
      fc.dictionary(fc.constantFrom(...ALL_FIELDS), fc.oneof(nonString, tooLong), { minKeys: 1, maxKeys: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(targets.length - 1), body, async (n, b) => {
        const target = targets[n];
        const text = JSON.stringify(b) ?? 'null';
        const res = await exchange({ method: target.method, path: target.path(), text, contentType: 'application/json' });
        if (res.status === 400 && b && typeof b === 'object' && !Array.isArray(b) && Object.keys(b).length > 0) {
          const named = [...Object.keys(b), ...ALL_FIELDS, 'JSON'].some((k) => res.body.message.includes(k));
          if (!named) throw new Error(`400 message "${res.body.message}" names no field of ${text.slice(0, 200)}`);
        }
      }),
      FC(600, 6),
    );
  }, 60_000);

  it('bulk delete with a random Idempotency-Key never gets a 5xx and names the header when it refuses it', async () => {
    const key = fc.string({ minLength: 0, maxLength: 250 }).filter((s) => /^[\x20-\x7e]*$/.test(s) && s.trim() === s);
    await fc.assert(
      fc.asyncProperty(key, async (k) => {
        const res = await exchange({ method: 'post', path: '/api/workflow-instances/bulk-delete', text: JSON.stringify({ ids: ['ghost'] }), contentType: 'application/json', headers: { 'Idempotency-Key': k } });
        const valid = /^[\w.:-]{1,200}$/.test(k);
        if (valid && res.status !== 202) throw new Error(`valid Idempotency-Key ${JSON.stringify(k)} got ${show(res)}`);
        if (!valid && k !== '' && (res.status !== 400 || !res.body.message.includes('Idempotency-Key')))
          throw new Error(`invalid Idempotency-Key ${JSON.stringify(k)} got ${show(res)}`);
      }),
      FC(150, 2),
    );
  }, 60_000);

  const LISTINGS: Record<string, string[]> = {
    '/api/workflow-instances': ['status', 'definitionId', 'correlationId', 'search', 'createdAfter', 'createdBefore', 'deleted', 'limit', 'cursor', 'orderBy', 'orderDirection'],
    '/api/bookmarks': ['name', 'instanceId', 'limit'],
    '/api/deletion-operations': ['limit', 'from', 'to', 'actor'],
    '/api/audit/deletions': ['limit', 'from', 'to', 'actor'],
    '/api/workflow-definitions': [],
    '/api/workflow-instances/i': ['deleted'],
  };
  const DATES = fc.constantFrom('2026-01-01', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000+02:00', '2026-W01-1', '2026-W53', '20260101', '2026-001', '2026-02-30', '2026-01-01T10:00,5', '2026-01-01T1000', '2026-01-01T24:00', '+002026-01-01', '-000001-01-01', '9999-12-31T23:59:59Z', 'yesterday');
  const NUMBERS = fc.oneof(fc.integer().map(String), fc.constantFrom('', '0', '-1', '1', '10', '1000', '1001', '1e3', '0x10', '2.5', 'NaN', 'Infinity', ' 5 ', '٣'));
  const WORDS = fc.constantFrom('Running', 'Running,Completed', 'Bogus', 'running', 'Running,', ',', 'include', 'only', 'exclude', 'all', 'asc', 'desc', 'createdAt', 'updatedAt', 'name');
  const CURSORS = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url')),
    fc.record({ v: fc.oneof(fc.string(), fc.integer()), i: fc.string(), o: fc.constantFrom('createdAt', 'updatedAt'), d: fc.constantFrom('asc', 'desc') }).map((c) => Buffer.from(JSON.stringify(c)).toString('base64url')),
  );
  const anyValue = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.string({ maxLength: 20, unit: 'binary' }),
    NUMBERS,
    WORDS,
    DATES,
    fc.constantFrom('%', '%25', '_', '\\', "'", '"', ';--', '*', '.*', '(', '[', '{', 'null', 'undefined', '__proto__'),
    CURSORS,
    fc.constant('x'.repeat(5000)),
  );
  /** Values aimed at what each parameter parses, mixed with anything at all. */
  const VALUES: Record<string, fc.Arbitrary<string>> = {
    createdAfter: DATES, createdBefore: DATES, from: DATES, to: DATES,
    limit: NUMBERS,
    status: fc.oneof(WORDS, fc.array(fc.constantFrom('Running', 'Suspended', 'Completed', 'Faulted', 'Cancelled', 'Bogus', ''), { maxLength: 4 }).map((a) => a.join(','))),
    deleted: WORDS, orderBy: WORDS, orderDirection: WORDS,
    cursor: CURSORS,
  };
  const valueFor = (key: string) => (Object.hasOwn(VALUES, key) ? fc.oneof({ weight: 3, arbitrary: VALUES[key] }, anyValue) : anyValue);

  it('a random query string on every listing never gets a 5xx, never writes, and a 400 names a parameter', async () => {
    const query = fc.constantFrom(...Object.keys(LISTINGS)).chain((path) =>
      fc.record({
        path: fc.constant(path),
        params: fc.array(
          fc
            .oneof({ weight: 4, arbitrary: LISTINGS[path].length ? fc.constantFrom(...LISTINGS[path]) : fc.constant('limit') }, fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'filter', 'ids'))
            .chain((key) => fc.tuple(fc.constant(key), valueFor(key))),
          { maxLength: 4 },
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(query, async ({ path, params }) => {
        const qs = params.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
        const s: Sent = { method: 'get', path: qs ? `${path}?${qs}` : path };
        const res = await exchange(s);
        // A random bulk delete may have soft-deleted `i` by now.
        const expected = path === '/api/workflow-instances/i' ? [200, 400, 404] : [200, 400];
        if (!expected.includes(res.status)) throw new Error(`expected 200 or 400 for ${describeSent(s)}, got ${show(res)}`);
        if (res.status === 400 && !params.some(([k]) => res.body.message.includes(k)))
          throw new Error(`400 message "${res.body.message}" names no parameter of ${describeSent(s)}`);
      }),
      FC(800, 5),
    );
  }, 60_000);

  const oddId = fc.oneof(
    fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }).map((s) => `zz${pct(s)}`),
    fc.constantFrom('%', '%zz', '%C0%AF', '%E0%A4%A', '%00', '%2F', '%2e%2e', '..%2F..%2Fetc%2Fpasswd', '%F0%9F%92%A9', '%EF%BF%BF', '%ED%A0%80').map((s) => `zz${s}`),
    fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'bulk-delete'),
    fc.constant('zz'.padEnd(5000, 'x')),
  );
  const ID_ROUTES: { method: Sent['method']; path: (id: string) => string }[] = [
    { method: 'get', path: (id) => `/api/workflow-instances/${id}` },
    { method: 'get', path: (id) => `/api/workflow-instances/${id}?deleted=include` },
    { method: 'get', path: (id) => `/api/workflow-definitions/${id}` },
    { method: 'get', path: (id) => `/api/deletion-operations/${id}` },
    { method: 'get', path: (id) => `/api/audit/workflow-instances/${id}` },
    { method: 'get', path: (id) => `/api/workflow-instances/${id}/blobs` },
    { method: 'get', path: (id) => `/api/workflow-instances/${id}/blobs/a.txt` },
    { method: 'get', path: (id) => `/api/workflow-instances/i/blobs/${id}` },
    { method: 'post', path: (id) => `/api/workflow-instances/${id}/complete` },
    { method: 'post', path: (id) => `/api/workflow-instances/${id}/restore` },
    { method: 'post', path: (id) => `/api/workflow-instances/${id}/bookmarks` },
    { method: 'delete', path: (id) => `/api/workflow-instances/${id}` },
    { method: 'delete', path: (id) => `/api/workflow-definitions/${id}` },
    { method: 'post', path: (id) => `/api/bookmarks/${id}/resume` },
    { method: 'post', path: (id) => `/api/deletion-operations/${id}/undo` },
    { method: 'put', path: (id) => `/api/workflow-instances/${id}/blobs/b.txt` },
  ];

  it('ids with odd characters in paths are 400 or 404, never a 5xx, and write nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(ID_ROUTES.length - 1), oddId, async (n, id) => {
        const r = ID_ROUTES[n];
        const body = r.method === 'post' && r.path(id).endsWith('/bookmarks') ? { name: 'b' } : {};
        const s: Sent =
          r.method === 'get'
            ? { method: r.method, path: r.path(id) }
            : { method: r.method, path: r.path(id), text: r.method === 'put' ? 'bytes' : JSON.stringify(body), contentType: r.method === 'put' ? 'text/plain' : 'application/json' };
        const res = await exchange(s);
        if (![400, 404].includes(res.status)) throw new Error(`expected 400 or 404 for ${describeSent(s)}, got ${show(res)}`);
      }),
      FC(600, 5),
    );
  }, 60_000);

  it('a blob name is stored when valid and a 400 naming "name" otherwise', async () => {
    // Its own instance: an earlier random bulk delete may have taken the fixture's.
    await t.http.post('/api/workflow-instances').set('Authorization', AUTH).send({ id: 'blobby', definitionId: 'd' }).expect(201);
    const name = fc.oneof(fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/), fc.constant('n'.repeat(201)));
    await fc.assert(
      fc.asyncProperty(name, fc.uint8Array({ maxLength: 64 }), async (n, bytes) => {
        const path = `/api/workflow-instances/blobby/blobs/${pct(n)}`;
        const before = await writes();
        const res = await t.http.put(path).set('Authorization', AUTH).set('content-type', 'application/octet-stream').send(Buffer.from(bytes));
        if (res.status >= 500) throw new Error(`server error for PUT ${path}: ${show(res)}`);
        if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(n)) {
          if (res.status !== 201 || res.body.size !== bytes.length) throw new Error(`valid blob name ${JSON.stringify(n)} got ${show(res)}`);
        } else {
          if (res.status !== 400 || errorShapeProblem(res) || !res.body.message.startsWith('name ')) throw new Error(`invalid blob name ${JSON.stringify(n)} got ${show(res)}`);
          expect(await writes()).toEqual(before);
        }
      }),
      FC(150, 3),
    );
  }, 60_000);

  it('malformed or truncated JSON is a 400 saying the body is not valid JSON, and writes nothing', async () => {
    const targets = Object.values(BODY_ENDPOINTS);
    const valid = JSON.stringify({ definitionId: 'd', name: 'n', ids: ['a'], filter: { status: 'Running' } });
    const text = fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.nat(valid.length - 2).map((cut) => valid.slice(0, cut + 1)),
      fc.constantFrom('{', '{"name":', "{'name':'x'}", '{name:"x"}', '{"name":"x",}', '{"name":"x"}}', '{"name":NaN}', '{"name":undefined}', '\u0000', '[1,2', '{"a":1}{"b":2}'),
    ).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return s.trim() !== '';
      }
    });
    await allRefused(() =>
      fc.assert(
        fc.asyncProperty(fc.nat(targets.length - 1), text, async (n, body) => {
          const target = targets[n];
          const s: Sent = { method: target.method, path: target.path(), text: body, contentType: 'application/json' };
          const res = await exchange(s);
          if (res.status !== 400 || res.body.message !== 'request body is not valid JSON') throw new Error(`expected the invalid-JSON 400 for ${describeSent(s)}, got ${show(res)}`);
        }),
        FC(300, 2),
      ),
    );
  }, 60_000);

  it('a JSON body that is not an object is a 400 and writes nothing', async () => {
    const targets = Object.values(BODY_ENDPOINTS);
    const text = fc.oneof(fc.constantFrom('null', 'true', '1', '"x"', '[]', '[{}]', '[null]', '[[]]'), fc.array(json, { maxLength: 3 }).map((a) => JSON.stringify(a)));
    await allRefused(() =>
      fc.assert(
        fc.asyncProperty(fc.nat(targets.length - 1), text, async (n, body) => {
          const target = targets[n];
          const res = await exchange({ method: target.method, path: target.path(), text: body, contentType: 'application/json' });
          if (res.status !== 400) throw new Error(`expected 400 for body ${body} on ${target.path()}, got ${show(res)}`);
        }),
        FC(200, 2),
      ),
    );
  }, 60_000);

  it('a body sent with another content type is refused as 4xx, and writes nothing', async () => {
    const targets = Object.values(BODY_ENDPOINTS).filter((e) => Object.values(e.fields).some((k) => k.startsWith('required')) || e.fields.ids);
    const type = fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/octet-stream',
      'text/html',
      'application/json-patch+json',
      'application/json; charset=utf-16',
    );
    await allRefused(() =>
      fc.assert(
        fc.asyncProperty(fc.nat(targets.length - 1), type, async (n, contentType) => {
          const target = targets[n];
          const s: Sent = { method: target.method, path: target.path(), text: JSON.stringify(target.valid), contentType };
          const res = await exchange(s);
          if (res.status < 400) throw new Error(`a ${contentType} body was accepted: ${describeSent(s)} -> ${show(res)}`);
        }),
        FC(100, 2),
      ),
    );
  }, 60_000);

  it('the bulk delete refuses null, an array or a string where the filter object belongs, and deletes nothing', async () => {
    for (const filter of [null, [], [{}], 'all', 0]) {
      const res = await exchange({ method: 'post', path: '/api/workflow-instances/bulk-delete', text: JSON.stringify({ filter }), contentType: 'application/json' });
      expect({ filter, status: res.status, message: res.body.message }).toEqual({ filter, status: 400, message: expect.stringContaining('filter') });
    }
    const ids = await exchange({ method: 'post', path: '/api/workflow-instances/bulk-delete', text: JSON.stringify({ ids: null }), contentType: 'application/json' });
    expect(ids.body.message).toContain('ids must be an array of instance ids');
    const dry = await exchange({ method: 'post', path: '/api/workflow-instances/bulk-delete', text: JSON.stringify({ ids: ['i'], dryRun: null }), contentType: 'application/json' });
    expect(dry.body.message).toBe('dryRun must be a boolean');
  });

  it('list filters refuse ISO-8601 forms a Date cannot read (week dates, basic format) with a 400 naming the filter', async () => {
    for (const v of ['2026-W01-1', '20260101', '2026-01-01T10:00,5', '2026-01-01T1000']) {
      const list = await exchange({ method: 'get', path: `/api/workflow-instances?createdAfter=${pct(v)}` });
      expect({ v, status: list.status, message: list.body.message }).toEqual({ v, status: 400, message: 'createdAfter must be an ISO-8601 date-time' });
      const bulk = await exchange({ method: 'post', path: '/api/workflow-instances/bulk-delete', text: JSON.stringify({ filter: { createdBefore: v } }), contentType: 'application/json' });
      expect({ v, status: bulk.status, message: bulk.body.message }).toEqual({ v, status: 400, message: 'filter.createdBefore must be an ISO-8601 date-time' });
    }
  });

  // Bugs these properties found, kept as regressions.
  describe('found by the properties, fixed', () => {
    it('a body nested 3,000 levels deep is a 400, not a 500 (stack overflow in the validation pipe)', async () => {
      const deep = `${'['.repeat(3000)}${']'.repeat(3000)}`;
      for (const [path, text] of [
        ['/api/workflow-definitions', `{"name":"n","junk":${deep}}`],
        ['/api/workflow-instances/i/bookmarks', `{"name":"n","payload":${deep}}`],
        ['/api/bookmarks/ghost/resume', `{"input":${deep}}`],
      ]) {
        const res = await exchange({ method: 'post', path, text, contentType: 'application/json' });
        expect({ path, status: res.status, message: res.body.message }).toEqual({ path, status: 400, message: 'request body is nested deeper than 64 levels' });
      }
    });

    it('a blob PUT to a path differing only in case or a trailing slash stores the bytes sent, not an empty blob', async () => {
      for (const path of ['/api/workflow-instances/other/blobs/slash.txt/', '/API/workflow-instances/other/blobs/upper.txt', '/api/Workflow-Instances/other/blobs/mixed.txt']) {
        const res = await t.http.put(path).set('Authorization', AUTH).set('content-type', 'text/plain').send('twelve bytes');
        // Storing the 12 bytes or refusing the path are both fine; a 201 for an empty blob is not.
        const outcome = res.status === 201 ? `stored ${res.body.size} bytes` : res.status < 500 ? 'refused' : `server error ${res.status}`;
        expect({ path, outcome }).toEqual({ path, outcome: expect.stringMatching(/^(stored 12 bytes|refused)$/) });
      }
    });

    it('an unsupported charset or content encoding gets an error whose reason matches its status and names the problem', async () => {
      for (const [contentType, encoding] of [
        ['application/json; charset=latin1', undefined],
        ['application/json', 'bogus'],
      ] as const) {
        const s: Sent = { method: 'post', path: '/api/workflow-definitions', text: '{"name":"x"}', contentType, headers: encoding ? { 'Content-Encoding': encoding } : {} };
        const res = await exchange(s);
        expect({ contentType, encoding, status: res.status, message: res.body.message }).toEqual({
          contentType,
          encoding,
          status: res.status === 400 ? 400 : 415,
          message: expect.stringMatching(encoding ? /encoding/i : /charset/i),
        });
      }
    });
  });
});
