// Calls to the service's JSON API, with the API key from this tab and errors in plain words.

const KEY_STORAGE = 'wis.apiKey';

export const apiKey = {
  get: () => sessionStorage.getItem(KEY_STORAGE) ?? '',
  set: (key) => (key ? sessionStorage.setItem(KEY_STORAGE, key) : sessionStorage.removeItem(KEY_STORAGE)),
};

const SENTENCES = {
  0: 'The service could not be reached. Check that it is running and that you are online, then try again.',
  400: 'The service did not accept the request because some input is not valid.',
  401: 'The service needs an API key for this. Paste a valid key under “API key” at the top of the page.',
  403: 'Your API key does not allow this action (undo needs the admin role; deleting and restoring, the operator role). Ask for a key with that role.',
  404: 'It no longer exists: it may have been purged, or it never existed.',
  409: 'This cannot be done in its current state (for example it is not deleted, or its purge has already begun).',
  413: 'The request is too large for the service.',
  429: 'Too many requests with this API key in the last minute. Wait a moment, then try again.',
  503: 'The service cannot reach its storage right now, or is restarting. Nothing was changed; try again in a moment.',
  500: 'The service ran into a problem and could not finish. Try again in a moment; if it keeps happening, check the service log.',
};

/** An API call that failed; `message` is a sentence a person can act on. */
export class ApiError extends Error {
  constructor(status, detail) {
    const sentence = SENTENCES[status] ?? (status >= 500 ? SENTENCES[500] : `The request failed (HTTP ${status}).`);
    super(detail ? `${sentence} The service said: “${detail}”.` : sentence);
    this.status = status;
    this.detail = detail;
  }
}

/** A random UUID; `crypto.randomUUID` exists only on https or localhost, the page may be served over plain http. */
export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const RANK = { viewer: 1, operator: 2, admin: 3 };

/**
 * Who the key in this tab is (`GET /api/whoami`): `{ name, role, authentication }`, or null while
 * unknown (no key yet, or a key the service refused). The page offers only what the role may do.
 */
export const session = { current: null };

export async function loadSession() {
  try {
    session.current = await api('GET', '/whoami');
  } catch {
    session.current = null;
  }
  window.dispatchEvent(new CustomEvent('wis:session'));
  return session.current;
}

/**
 * Whether the key may do what needs `role`. Unknown (no answer yet) counts as yes: the service
 * decides and its answer is shown.
 */
export const can = (role) => !session.current || RANK[session.current.role] >= RANK[role];

/** A sentence for a control the key may not use. */
export const needs = (role) => `Your API key (${session.current?.role ?? 'none'}) cannot do this: it needs the ${role} role.`;

/** `query` values that are empty are left out; arrays are sent comma-separated. */
export function toQuery(query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export async function api(method, path, { query, body, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const key = apiKey.get();
  if (key) h.Authorization = `Bearer ${key}`;
  let res;
  try {
    res = await fetch(`/api${path}${toQuery(query)}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    if (res.status === 401) window.dispatchEvent(new CustomEvent('wis:unauthorized'));
    throw new ApiError(res.status, typeof data?.message === 'string' ? data.message : '');
  }
  return data;
}
