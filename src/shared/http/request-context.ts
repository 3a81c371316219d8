import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Request } from 'express';
import { CommandContext } from '../event-sourcing/event';

/**
 * The command context of an HTTP request: the caller, a correlation id (from
 * `X-Correlation-Id` when sent) and a causation id unique to this request.
 */
export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const header = req.headers['x-correlation-id'];
  const correlationId = typeof header === 'string' && /^[\w.:-]{1,100}$/.test(header) ? header : randomUUID();
  return { actor: req.principal?.id ?? 'anonymous', correlationId, causationId: randomUUID() };
});
