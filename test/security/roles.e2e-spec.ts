import request from 'supertest';
import { loadConfig } from '../../src/config/app.config';
import { TestApp, startTestApp } from '../support/test-app';
import { errorShapeProblem, servedRoutes, show } from './security-support';

/** Who calls: no key, a key nobody configured, and one key per role. */
type Caller = 'none' | 'wrong' | 'viewer' | 'operator' | 'admin';
type Role = 'viewer' | 'operator' | 'admin';
const CALLERS: Caller[] = ['none', 'wrong', 'viewer', 'operator', 'admin'];
const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
const KEY: Record<Role, string> = { viewer: 'viewer-key-7f3a9c2e51d0', operator: 'operator-key-b81d4e6a07c3', admin: 'admin-key-5c0e2f9d83aa41' };
const NAME: Record<Role, string> = { viewer: 'vera', operator: 'otto', admin: 'ada' };
const WRONG_KEY = 'not-a-configured-key-9e8d7c';
const API_KEYS = (['viewer', 'operator', 'admin'] as const).map((r) => `${NAME[r]}:${r}:${KEY[r]}`).join(',');

const authOf = (c: Caller): Record<string, string> =>
  c === 'none' ? {} : { Authorization: `Bearer ${c === 'wrong' ? WRONG_KEY : KEY[c]}` };

/** Ids the fixture creates per caller, so every caller's allowed call meets the state it expects. */
interface Fixture {
  bookmarkToResume: Record<Caller, string>;
  undoOperation: Record<Caller, string>;
}

interface Call {
  path: string;
  body?: object;
  raw?: { contentType: string; content: string };
}

interface Expectation {
  /** The least role that may call the route, or `public` for no key at all. */
  least: Role | 'public';
  /** The statuses an allowed caller gets with its own fixture. */
  ok: number[];
  call: (c: Caller, f: Fixture) => Call;
}

/**
 * Every route the service serves, with the least role it needs. A route added to the app without an
 * entry here fails `the table covers every route the app serves`; so does an entry the app no
 * longer serves. Keys are Express paths exactly as registered. Order matters: the matrix runs top
 * to bottom, so the rebuild is started before its status is read.
 */
const ROUTES: Record<string, Expectation> = {
  'GET /': { least: 'public', ok: [200], call: () => ({ path: '/' }) },
  'GET /assets/:file': { least: 'public', ok: [200], call: () => ({ path: '/assets/app.js' }) },
  'GET /health': { least: 'public', ok: [200], call: () => ({ path: '/health' }) },
  'GET /metrics': { least: 'viewer', ok: [200], call: () => ({ path: '/metrics' }) },

  'POST /api/workflow-definitions': { least: 'operator', ok: [201], call: (c) => ({ path: '/api/workflow-definitions', body: { id: `new-def-${c}`, name: 'New' } }) },
  'GET /api/workflow-definitions': { least: 'viewer', ok: [200], call: () => ({ path: '/api/workflow-definitions' }) },
  'GET /api/workflow-definitions/:id': { least: 'viewer', ok: [200], call: (c) => ({ path: `/api/workflow-definitions/d-${c}` }) },
  'DELETE /api/workflow-definitions/:id': { least: 'operator', ok: [202], call: (c) => ({ path: `/api/workflow-definitions/ddel-${c}`, body: { reason: 'retired' } }) },

  'POST /api/workflow-instances': { least: 'operator', ok: [201], call: (c) => ({ path: '/api/workflow-instances', body: { id: `new-${c}`, definitionId: `d-${c}` } }) },
  'GET /api/workflow-instances': { least: 'viewer', ok: [200], call: () => ({ path: '/api/workflow-instances?limit=5' }) },
  'GET /api/workflow-instances/:id': { least: 'viewer', ok: [200], call: (c) => ({ path: `/api/workflow-instances/i-${c}` }) },
  'POST /api/workflow-instances/:id/bookmarks': { least: 'operator', ok: [201], call: (c) => ({ path: `/api/workflow-instances/bm-${c}/bookmarks`, body: { name: 'approve', payload: { n: 1 } } }) },
  'POST /api/workflow-instances/:id/complete': { least: 'operator', ok: [200], call: (c) => ({ path: `/api/workflow-instances/complete-${c}/complete` }) },
  'POST /api/workflow-instances/:id/fault': { least: 'operator', ok: [200], call: (c) => ({ path: `/api/workflow-instances/fault-${c}/fault`, body: { error: 'boom' } }) },
  'POST /api/workflow-instances/:id/cancel': { least: 'operator', ok: [200], call: (c) => ({ path: `/api/workflow-instances/cancel-${c}/cancel` }) },
  'GET /api/bookmarks': { least: 'viewer', ok: [200], call: () => ({ path: '/api/bookmarks' }) },
  'POST /api/bookmarks/:id/resume': { least: 'operator', ok: [200], call: (c, f) => ({ path: `/api/bookmarks/${f.bookmarkToResume[c]}/resume`, body: { input: { ok: true } } }) },
  'PUT /api/workflow-instances/:id/blobs/:name': {
    least: 'operator',
    ok: [201],
    call: (c) => ({ path: `/api/workflow-instances/blob-${c}/blobs/new.txt`, raw: { contentType: 'text/plain', content: 'hello' } }),
  },
  'GET /api/workflow-instances/:id/blobs': { least: 'viewer', ok: [200], call: (c) => ({ path: `/api/workflow-instances/i-${c}/blobs` }) },
  'GET /api/workflow-instances/:id/blobs/:name': { least: 'viewer', ok: [200], call: (c) => ({ path: `/api/workflow-instances/i-${c}/blobs/a.txt` }) },

  'DELETE /api/workflow-instances/:id': { least: 'operator', ok: [202], call: (c) => ({ path: `/api/workflow-instances/delete-${c}`, body: { reason: 'duplicate' } }) },
  'POST /api/workflow-instances/bulk-delete': { least: 'operator', ok: [202], call: (c) => ({ path: '/api/workflow-instances/bulk-delete', body: { ids: [`bulk-${c}`] } }) },
  'POST /api/workflow-instances/:id/restore': { least: 'operator', ok: [200], call: (c) => ({ path: `/api/workflow-instances/restore-${c}/restore` }) },
  'GET /api/deletion-operations': { least: 'viewer', ok: [200], call: () => ({ path: '/api/deletion-operations' }) },
  'GET /api/deletion-operations/:id': { least: 'viewer', ok: [200], call: (c, f) => ({ path: `/api/deletion-operations/${f.undoOperation[c]}` }) },
  'POST /api/deletion-operations/:id/undo': { least: 'admin', ok: [200], call: (c, f) => ({ path: `/api/deletion-operations/${f.undoOperation[c]}/undo` }) },
  'GET /api/audit/deletions': { least: 'viewer', ok: [200], call: () => ({ path: '/api/audit/deletions' }) },
  'GET /api/audit/workflow-instances/:id': { least: 'viewer', ok: [200], call: (c) => ({ path: `/api/audit/workflow-instances/restore-${c}` }) },

  'POST /api/purge/run': { least: 'admin', ok: [200], call: () => ({ path: '/api/purge/run', body: { maxBatches: 1 } }) },
  'POST /api/projections/rebuild': { least: 'admin', ok: [202], call: () => ({ path: '/api/projections/rebuild' }) },
  'GET /api/projections/rebuild': { least: 'viewer', ok: [200], call: () => ({ path: '/api/projections/rebuild' }) },
  'GET /api/whoami': { least: 'viewer', ok: [200], call: () => ({ path: '/api/whoami' }) },
};

/** What each caller may do with a route that needs `least`: allowed, or the status that refuses it. */
function verdict(least: Role | 'public', c: Caller): 'allowed' | 401 | 403 {
  if (least === 'public') return 'allowed';
  if (c === 'none' || c === 'wrong') return 401;
  return RANK[c] >= RANK[least] ? 'allowed' : 403;
}

function send(t: TestApp, method: string, call: Call, headers: Record<string, string>) {
  const m = method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
  let req = t.http[m](call.path);
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  if (call.raw) return req.set('content-type', call.raw.contentType).send(call.raw.content);
  return call.body ? req.send(call.body) : req;
}

describe('role matrix: every route, no key, a wrong key and each role', () => {
  let t: TestApp;
  const f: Fixture = { bookmarkToResume: {} as Record<Caller, string>, undoOperation: {} as Record<Caller, string> };
  const admin = { Authorization: `Bearer ${KEY.admin}` };

  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEYS } });
    const post = (url: string, body: object = {}) => t.http.post(url).set(admin).send(body);
    for (const c of CALLERS) {
      await post('/api/workflow-definitions', { id: `d-${c}`, name: `D ${c}` }).expect(201);
      await post('/api/workflow-definitions', { id: `ddel-${c}`, name: `Doomed ${c}` }).expect(201);
      await post('/api/workflow-instances', { id: `ddel-i-${c}`, definitionId: `ddel-${c}` }).expect(201);
      for (const kind of ['i', 'bm', 'complete', 'fault', 'cancel', 'resume', 'blob', 'delete', 'bulk', 'restore', 'undo'])
        await post('/api/workflow-instances', { id: `${kind}-${c}`, definitionId: `d-${c}` }).expect(201);
      await t.http.put(`/api/workflow-instances/i-${c}/blobs/a.txt`).set(admin).set('content-type', 'text/plain').send('bytes').expect(201);
      await post(`/api/workflow-instances/i-${c}/bookmarks`, { name: 'wait' }).expect(201);
      f.bookmarkToResume[c] = (await post(`/api/workflow-instances/resume-${c}/bookmarks`, { name: 'approve' }).expect(201)).body.id;
      await t.http.delete(`/api/workflow-instances/restore-${c}`).set(admin).send({}).expect(202);
      f.undoOperation[c] = (await t.http.delete(`/api/workflow-instances/undo-${c}`).set(admin).send({}).expect(202)).body.id;
    }
  });

  afterAll(async () => {
    // The admin's rebuild runs in the background: let it finish before the store closes.
    for (let i = 0; i < 200; i++) {
      const job = await t.http.get('/api/projections/rebuild').set(admin);
      if (job.status !== 200 || job.body.state !== 'Running') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await t.close();
  });

  it('the table covers every route the app serves, and serves every route in the table', () => {
    const served = servedRoutes(t.app);
    const table = Object.keys(ROUTES);
    expect({
      servedButNotInTable: served.filter((r) => !table.includes(r)),
      inTableButNotServed: table.filter((r) => !served.includes(r)),
    }).toEqual({ servedButNotInTable: [], inTableButNotServed: [] });
  });

  it.each(Object.keys(ROUTES))('%s', async (route) => {
    const [method] = route.split(' ');
    const { least, ok, call } = ROUTES[route];
    const problems: string[] = [];
    for (const c of CALLERS) {
      const before = (await t.allEvents()).length;
      const res = await send(t, method, call(c, f), authOf(c));
      const written = (await t.allEvents()).slice(before);
      const expected = verdict(least, c);
      const who = `${c} ${method} ${call(c, f).path}`;
      if (res.status >= 500) problems.push(`${who}: server error ${show(res)}`);
      if (expected === 'allowed') {
        if (!ok.includes(res.status)) problems.push(`${who}: expected ${ok.join('|')}, got ${show(res)}`);
        const actor = c === 'none' || c === 'wrong' ? null : NAME[c];
        for (const e of written) if (e.metadata.actor !== actor) problems.push(`${who}: ${e.type} recorded actor "${e.metadata.actor}", not "${actor}"`);
      } else {
        if (res.status !== expected) problems.push(`${who}: expected ${expected}, got ${show(res)}`);
        const shape = errorShapeProblem(res);
        if (shape) problems.push(`${who}: ${shape}`);
        if (expected === 403 && res.body.message !== `this action needs the ${least} role; key "${NAME[c as Role]}" has ${c}`)
          problems.push(`${who}: 403 message is "${res.body.message}"`);
        if (written.length > 0) problems.push(`${who}: refused, yet appended ${written.map((e) => e.type).join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('says why a key is refused: none, not Bearer, or not valid; X-API-Key works too', async () => {
    const body = async (headers: Record<string, string>) => {
      let req = t.http.get('/api/workflow-instances');
      for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
      const res = await req;
      return { status: res.status, body: res.body };
    };
    const unauthorized = (message: string) => ({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message } });
    expect(await body({})).toEqual(unauthorized('API key required (Authorization: Bearer <key>)'));
    expect(await body({ Authorization: `Bearer ${WRONG_KEY}` })).toEqual(unauthorized('API key is not valid'));
    expect(await body({ Authorization: `Basic ${Buffer.from(`ada:${KEY.admin}`).toString('base64')}` })).toEqual(unauthorized('Authorization must be "Bearer <key>"'));
    expect(await body({ Authorization: 'Bearer' })).toEqual(unauthorized('Authorization must be "Bearer <key>"'));
    expect(await body({ Authorization: `Bearer ${KEY.viewer} extra` })).toEqual(unauthorized('Authorization must be "Bearer <key>"'));
    // Near misses of a real key are simply wrong keys.
    expect(await body({ Authorization: `Bearer ${KEY.viewer.slice(0, -1)}` })).toEqual(unauthorized('API key is not valid'));
    expect(await body({ Authorization: `Bearer ${KEY.viewer}x` })).toEqual(unauthorized('API key is not valid'));
    expect(await body({ Authorization: `Bearer ${KEY.viewer.toUpperCase()}` })).toEqual(unauthorized('API key is not valid'));
    expect(await body({ 'X-API-Key': WRONG_KEY })).toEqual(unauthorized('API key is not valid'));
    expect((await body({ 'X-API-Key': KEY.viewer })).status).toBe(200);
    expect((await body({ Authorization: `bearer ${KEY.viewer}` })).status).toBe(200);
  });

  it('records the key name as the actor, whichever header carries the key', async () => {
    const before = (await t.allEvents()).length;
    await t.http.post('/api/workflow-instances').set('X-API-Key', KEY.operator).send({ id: 'by-header', definitionId: 'd-operator' }).expect(201);
    const deleted = await t.http.delete('/api/workflow-instances/by-header').set('Authorization', `Bearer ${KEY.operator}`).send({}).expect(202);
    const op = (await t.http.get(`/api/deletion-operations/${deleted.body.id}`).set(admin).expect(200)).body;
    expect(op.requestedBy).toBe('otto');
    await t.http.post(`/api/deletion-operations/${op.id}/undo`).set(admin).expect(200);
    const written = (await t.allEvents()).slice(before);
    expect(written.length).toBeGreaterThanOrEqual(5);
    const undo = written.findIndex((e) => e.type === 'DeletionUndoRequested');
    expect(undo).toBeGreaterThan(0);
    expect(written.slice(0, undo).map((e) => e.metadata.actor)).toEqual(written.slice(0, undo).map(() => 'otto'));
    expect(written.slice(undo).map((e) => e.metadata.actor)).toEqual(written.slice(undo).map(() => 'ada'));
  });

  it('tells a key who it is: its name, its role, and that keys are in use', async () => {
    const me = await t.http.get('/api/whoami').set('Authorization', `Bearer ${KEY.operator}`).expect(200);
    expect(me.body).toEqual({ name: 'otto', role: 'operator', authentication: 'api-keys' });
    expect((await t.http.get('/api/whoami').set(admin).expect(200)).body).toEqual({ name: 'ada', role: 'admin', authentication: 'api-keys' });
  });

  it('never logs a key, configured or presented', () => {
    expect(t.logs.length).toBeGreaterThan(0);
    const text = JSON.stringify(t.logs);
    for (const key of [...Object.values(KEY), WRONG_KEY]) expect(text).not.toContain(key);
  });

  it('sends the security headers on the page, its assets, the API and its errors, and no X-Powered-By', async () => {
    const answers = [
      ['/', await t.http.get('/').expect(200)],
      ['/assets/app.js', await t.http.get('/assets/app.js').expect(200)],
      ['/health', await t.http.get('/health').expect(200)],
      ['/api/workflow-instances', await t.http.get('/api/workflow-instances').set(admin).expect(200)],
      ['/api/workflow-instances without key', await t.http.get('/api/workflow-instances').expect(401)],
      ['/api/workflow-instances/nope', await t.http.get('/api/workflow-instances/nope').set(admin).expect(404)],
    ] as const;
    for (const [where, res] of answers) {
      expect({ where, csp: res.headers['content-security-policy'] }).toEqual({ where, csp: expect.stringMatching(/default-src 'self'/) });
      expect({ where, csp: res.headers['content-security-policy'] }).toEqual({ where, csp: expect.stringMatching(/frame-ancestors 'none'/) });
      expect({ where, csp: res.headers['content-security-policy'] }).toEqual({ where, csp: expect.not.stringMatching(/unsafe-inline|unsafe-eval/) });
      expect({ where, nosniff: res.headers['x-content-type-options'], frame: res.headers['x-frame-options'], poweredBy: res.headers['x-powered-by'] }).toEqual({
        where,
        nosniff: 'nosniff',
        frame: 'DENY',
        poweredBy: undefined,
      });
    }
    expect(answers[0][1].headers['content-type']).toMatch(/^text\/html/);
  });
});

describe('rate limit per key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEYS, RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After to the key that used up its minute, and only to it', async () => {
    const as = (role: Role) => t.http.get('/api/workflow-definitions').set('Authorization', `Bearer ${KEY[role]}`);
    for (let i = 0; i < 5; i++) await as('viewer').expect(200);
    const limited = await as('viewer');
    expect(limited.status).toBe(429);
    expect(errorShapeProblem(limited)).toBeNull();
    expect(limited.body.message).toMatch(/rate limit of 5 requests per minute/);
    expect(limited.body.message).toMatch(/vera/);
    expect(limited.body.message).toMatch(/RATE_LIMIT_PER_MINUTE/);
    expect(limited.body.message).not.toContain(KEY.viewer);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    await as('viewer').expect(429);
    // Another key has its own budget.
    await as('operator').expect(200);
    await as('admin').expect(200);
  });

  it('a limited write appends nothing', async () => {
    const post = () => t.http.post('/api/workflow-definitions').set('Authorization', `Bearer ${KEY.operator}`);
    let i = 0;
    for (; i < 10; i++) if ((await post().send({ id: `rl-${i}`, name: 'R' })).status === 429) break;
    expect(i).toBeLessThan(10);
    const before = (await t.allEvents()).length;
    await post().send({ id: 'rl-more', name: 'R' }).expect(429);
    expect((await t.allEvents()).length).toBe(before);
    await t.http.get('/api/workflow-definitions/rl-more').set('Authorization', `Bearer ${KEY.admin}`).expect(404);
  });
});

describe('limits: each configurable, each a clear 4xx that names the limit', () => {
  let t: TestApp;
  const env = { API_KEYS, BODY_MAX_BYTES: '1024', BLOB_MAX_BYTES: '4096', BULK_MAX_IDS: '3', PAGE_MAX_LIMIT: '10', STRING_MAX_LENGTH: '16' };
  const auth = { Authorization: `Bearer ${KEY.admin}` };
  const long = 'x'.repeat(17);
  const fits = 'x'.repeat(16);
  let bookmark: string;

  beforeAll(async () => {
    t = await startTestApp({ env });
    await t.http.post('/api/workflow-definitions').set(auth).send({ id: 'd', name: 'D' }).expect(201);
    for (const id of ['i', 'j', 'k', 'l']) await t.http.post('/api/workflow-instances').set(auth).send({ id, definitionId: 'd' }).expect(201);
    bookmark = (await t.http.post('/api/workflow-instances/i/bookmarks').set(auth).send({ name: 'b' }).expect(201)).body.id;
  });
  afterAll(() => t.close());

  /** Sends a request that must be refused with `status` and a message matching `message`, writing nothing. */
  async function refused(req: request.Test, status: number, message: RegExp) {
    const before = (await t.allEvents()).length;
    const res = await req;
    expect({ status: res.status, problem: errorShapeProblem(res) }).toEqual({ status, problem: null });
    expect(res.body.message).toMatch(message);
    expect((await t.allEvents()).length).toBe(before);
  }

  it('BODY_MAX_BYTES: a larger JSON body is 413', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(1100) });
    await refused(t.http.post('/api/workflow-definitions').set(auth).set('content-type', 'application/json').send(body), 413, /^request body is larger than 1024 bytes \(BODY_MAX_BYTES\)$/);
    // Just under the limit the body is read, and the field's own limit answers.
    await refused(t.http.post('/api/workflow-definitions').set(auth).send({ name: 'x'.repeat(900) }), 400, /^name must be at most 16 characters \(STRING_MAX_LENGTH\)$/);
  });

  it('BLOB_MAX_BYTES: a larger blob is 413; blobs are not bound by BODY_MAX_BYTES', async () => {
    await refused(t.http.put('/api/workflow-instances/j/blobs/big.bin').set(auth).set('content-type', 'application/octet-stream').send(Buffer.alloc(4097, 1)), 413, /^blob is larger than 4096 bytes \(BLOB_MAX_BYTES\)$/);
    const ok = await t.http.put('/api/workflow-instances/j/blobs/ok.bin').set(auth).set('content-type', 'application/octet-stream').send(Buffer.alloc(4096, 1)).expect(201);
    expect(ok.body.size).toBe(4096);
  });

  it('BULK_MAX_IDS: more ids is 400 naming ids and the limit', async () => {
    await refused(t.http.post('/api/workflow-instances/bulk-delete').set(auth).send({ ids: ['i', 'j', 'k', 'l'] }), 400, /^ids must contain at most 3 ids \(BULK_MAX_IDS\)/);
    await t.http.post('/api/workflow-instances/bulk-delete').set(auth).send({ ids: ['j', 'k', 'l'], dryRun: true }).expect(200);
  });

  it.each(['/api/workflow-instances', '/api/bookmarks', '/api/deletion-operations', '/api/audit/deletions'])('PAGE_MAX_LIMIT: %s?limit=11 is 400', async (path) => {
    await refused(t.http.get(`${path}?limit=11`).set(auth), 400, /^limit must be at most 10 \(PAGE_MAX_LIMIT\)$/);
    await t.http.get(`${path}?limit=10`).set(auth).expect(200);
  });

  const textFields: [string, (v: string) => request.Test, string][] = [
    ['definition name', (v) => t.http.post('/api/workflow-definitions').set(auth).send({ name: v }), 'name'],
    ['instance name', (v) => t.http.post('/api/workflow-instances').set(auth).send({ definitionId: 'd', name: v }), 'name'],
    ['instance correlationId', (v) => t.http.post('/api/workflow-instances').set(auth).send({ definitionId: 'd', correlationId: v }), 'correlationId'],
    ['bookmark name', (v) => t.http.post('/api/workflow-instances/k/bookmarks').set(auth).send({ name: v }), 'name'],
    ['fault error', (v) => t.http.post('/api/workflow-instances/nope/fault').set(auth).send({ error: v }), 'error'],
    ['instance delete reason', (v) => t.http.delete('/api/workflow-instances/nope').set(auth).send({ reason: v }), 'reason'],
    ['definition delete reason', (v) => t.http.delete('/api/workflow-definitions/nope').set(auth).send({ reason: v }), 'reason'],
    ['bulk delete reason', (v) => t.http.post('/api/workflow-instances/bulk-delete').set(auth).send({ ids: ['nope'], reason: v, dryRun: true }), 'reason'],
    ['bulk delete filter.search', (v) => t.http.post('/api/workflow-instances/bulk-delete').set(auth).send({ filter: { search: v }, dryRun: true }), 'filter.search'],
    ['bulk delete filter.correlationId', (v) => t.http.post('/api/workflow-instances/bulk-delete').set(auth).send({ filter: { correlationId: v }, dryRun: true }), 'filter.correlationId'],
    ['list search', (v) => t.http.get(`/api/workflow-instances?search=${v}`).set(auth), 'search'],
    ['list correlationId', (v) => t.http.get(`/api/workflow-instances?correlationId=${v}`).set(auth), 'correlationId'],
    ['bookmark list name', (v) => t.http.get(`/api/bookmarks?name=${v}`).set(auth), 'name'],
  ];

  it.each(textFields)('STRING_MAX_LENGTH: %s longer than 16 is 400 naming it', async (_, req, field) => {
    await refused(req(long), 400, new RegExp(`^${field.replace('.', '\\.')} must be at most 16 characters \\(STRING_MAX_LENGTH\\)$`));
    const res = await req(fits);
    expect([200, 201, 404]).toContain(res.status);
  });

  it('a resume input and a bookmark payload are bounded by the body size only', async () => {
    await t.http.post(`/api/bookmarks/${bookmark}/resume`).set(auth).send({ input: { note: 'y'.repeat(500) } }).expect(200);
  });

  it.each(['BODY_MAX_BYTES', 'BLOB_MAX_BYTES', 'BULK_MAX_IDS', 'PAGE_MAX_LIMIT', 'STRING_MAX_LENGTH', 'RATE_LIMIT_PER_MINUTE'])(
    '%s out of range or not a number stops the start with one line naming it',
    (name) => {
      expect(() => loadConfig({ [name]: 'many' })).toThrow(new RegExp(`^${name} must be an integer, got "many"$`));
      expect(() => loadConfig({ [name]: '-5' })).toThrow(new RegExp(`^${name} must be between`));
    },
  );
});
