import { INestApplication } from '@nestjs/common';
import { TestApp } from '../support/test-app';

/** The reason phrase an error body's `error` must carry for its status. */
export const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
};

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * `METHOD /path` of every route the app serves, read from the Express 5 router Nest registered
 * them on (`router.stack`; each controller method is one layer with a `route`).
 */
export function servedRoutes(app: INestApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as { router?: { stack?: RouterLayer[] } };
  const stack = express.router?.stack;
  if (!Array.isArray(stack)) throw new Error('Express router stack not found: the route enumeration needs updating for this Express version');
  return stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((m) => m !== '_all')
          .map((m) => `${m.toUpperCase()} ${layer.route!.path}`)
      : [],
  );
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  text?: string;
}

/** Describes an answer for failure messages: enough to reproduce, never a whole page. */
export const show = (res: HttpAnswer) => `${res.status} ${(res.text ?? JSON.stringify(res.body) ?? '').slice(0, 400)}`;

/** An error answer is JSON `{ statusCode, error, message }` with the status's reason phrase and a non-empty message. */
export function errorShapeProblem(res: HttpAnswer): string | null {
  const type = res.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) return `content-type ${type || '(none)'} is not JSON: ${show(res)}`;
  const b = res.body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return `body is not an object: ${show(res)}`;
  const keys = Object.keys(b).sort().join(',');
  if (keys !== 'error,message,statusCode') return `body keys are ${keys}, not error,message,statusCode: ${show(res)}`;
  if (b.statusCode !== res.status) return `statusCode ${String(b.statusCode)} differs from the HTTP status: ${show(res)}`;
  if (REASON[res.status] && b.error !== REASON[res.status]) return `error "${String(b.error)}" is not "${REASON[res.status]}": ${show(res)}`;
  if (typeof b.message !== 'string' || b.message.trim() === '') return `message is empty or not a string: ${show(res)}`;
  if (/\n\s+at |\.ts:\d+|node_modules/.test(b.message)) return `message leaks a stack trace: ${show(res)}`;
  return null;
}

/** What a rejected request must leave untouched: the global event log and every read model. */
export async function snapshot(t: TestApp, authorization?: string) {
  const get = async (url: string) => {
    let req = t.http.get(url);
    if (authorization) req = req.set('Authorization', authorization);
    const res = await req;
    if (res.status !== 200) throw new Error(`snapshot read ${url} answered ${show(res)}`);
    return res.body as unknown;
  };
  return {
    // Positions only grow, so an unchanged head means nothing was appended (and it is cheap to read).
    eventHead: await t.events.headPosition(),
    definitions: await get('/api/workflow-definitions'),
    instances: await get('/api/workflow-instances?deleted=include&limit=1000&orderBy=createdAt&orderDirection=asc'),
    bookmarks: await get('/api/bookmarks?limit=1000'),
    operations: await get('/api/deletion-operations?limit=1000'),
  };
}
