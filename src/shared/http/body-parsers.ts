import { NextFunction, Request, Response, json, raw } from 'express';
import { STATUS_CODES } from 'node:http';
import { Limits } from '../../config/app.config';

/** Express matches routes case-insensitively and with a trailing slash; so must this. */
const BLOB_PUT = /^\/api\/workflow-instances\/[^/]+\/blobs\/[^/]+\/?$/i;

/** Deeper bodies are refused before validation (whose recursion would overflow the stack). */
export const MAX_BODY_DEPTH = 64;

/** How deep `value` nests, counted without recursion; stops counting past `limit`. */
export function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d >= limit) return true;
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}

interface ParserError {
  status?: number;
  type?: string;
  charset?: string;
  encoding?: string;
}

function parserMessage(err: ParserError, blob: boolean, limits: Limits): string {
  switch (err.type) {
    case 'entity.too.large':
      return blob ? `blob is larger than ${limits.blobMaxBytes} bytes (BLOB_MAX_BYTES)` : `request body is larger than ${limits.bodyMaxBytes} bytes (BODY_MAX_BYTES)`;
    case 'entity.parse.failed':
      return 'request body is not valid JSON';
    case 'charset.unsupported':
      return `request body charset "${err.charset ?? ''}" is not supported; send UTF-8`;
    case 'encoding.unsupported':
      return `Content-Encoding "${err.encoding ?? ''}" is not supported; send identity, gzip or deflate`;
    case 'request.aborted':
      return 'request body was cut off before it ended';
    default:
      return 'request body could not be read';
  }
}

/**
 * Raw bytes for blob uploads (up to `BLOB_MAX_BYTES`), JSON for everything else (up to
 * `BODY_MAX_BYTES`, at most `MAX_BODY_DEPTH` levels). Parser errors are answered here, before
 * Nest's filters can see the request, in the same `{ statusCode, error, message }` shape.
 */
export function bodyParsers(limits: Limits) {
  const jsonParser = json({ limit: limits.bodyMaxBytes });
  const blobParser = raw({ type: () => true, limit: limits.blobMaxBytes });
  const refuse = (res: Response, status: number, message: string) => res.status(status).json({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });
  return (req: Request, res: Response, next: NextFunction) => {
    const blob = req.method === 'PUT' && BLOB_PUT.test(req.path);
    (blob ? blobParser : jsonParser)(req, res, (err?: ParserError) => {
      if (err) return refuse(res, err.status && err.status >= 400 && err.status < 500 ? err.status : 400, parserMessage(err, blob, limits));
      if (!blob && depthExceeds(req.body, MAX_BODY_DEPTH)) return refuse(res, 400, `request body is nested deeper than ${MAX_BODY_DEPTH} levels`);
      next();
    });
  };
}
