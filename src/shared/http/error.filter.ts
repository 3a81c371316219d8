import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import { Response } from 'express';
import { DomainError } from '../event-sourcing/errors';
import { JsonLogger } from '../logging/json-logger';
import { asStoreUnavailable } from '../storage/store-unavailable';

const STATUS: Record<string, number> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  CONCURRENCY: 409,
  STREAM_DELETED: 404,
  VALIDATION: 400,
  UNAVAILABLE: 503,
};

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Every error leaves as `{ statusCode, error, message }`; stack traces stay in the log. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private lastOutageLog = 0;
  constructor(private readonly logger: JsonLogger) {}

  /** A store outage fails every request: one error line per half minute, not one per request. */
  private reportOutage(message: string) {
    const now = Date.now();
    if (now - this.lastOutageLog < 30_000) return;
    this.lastOutageLog = now;
    this.logger.event('error', 'Http', 'a store is unavailable; answering 503', { error: message });
  }

  catch(exception: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<Response>();
    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    let message = 'internal error';
    const unavailable = asStoreUnavailable(exception);
    if (unavailable) {
      status = 503;
      message = unavailable.message;
      res.setHeader('Retry-After', '2');
      this.reportOutage(message);
    } else if (exception instanceof DomainError) {
      status = STATUS[exception.code] ?? 500;
      message = exception.message;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      const m = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      message = Array.isArray(m) ? m.join('; ') : String(m ?? exception.message);
    }
    if (status >= 500 && !unavailable) this.logger.event('error', 'Http', 'request failed', { error: exception instanceof Error ? exception.stack : String(exception) });
    res.status(status).json({ statusCode: status, error: REASON[status] ?? 'Error', message });
  }
}
