import { INestApplication, ValidationError, ValidationPipe, BadRequestException } from '@nestjs/common';
import { NextFunction, Request, Response, json, raw } from 'express';
import { AppConfig } from '../../config/app.config';
import { HttpDrain } from '../lifecycle/http-drain';
import { installLimits } from './limits';
import { securityHeaders } from './security-headers';

const BLOB_PUT = /^\/api\/workflow-instances\/[^/]+\/blobs\/[^/]+$/;

/** Flattens class-validator errors into one message that names each field (with its path). */
function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (parent ? `${parent}.${m}` : m));
    return [...own, ...describe(e.children ?? [], path)];
  });
}

/** Security headers, the request drain, body parsing and validation, shared by `main.ts` and the tests. */
export function configureHttp(app: INestApplication, config: AppConfig): { drain: HttpDrain } {
  const drain = new HttpDrain();
  installLimits(config.limits);
  (app.getHttpAdapter().getInstance() as { disable(setting: string): void }).disable('x-powered-by');
  app.use(securityHeaders);
  app.use(drain.middleware);
  const jsonParser = json({ limit: config.limits.bodyMaxBytes });
  const blobParser = raw({ type: () => true, limit: config.limits.blobMaxBytes });
  // Parser errors are answered here: they happen before Nest's filters can see the request.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const blob = req.method === 'PUT' && BLOB_PUT.test(req.path);
    (blob ? blobParser : jsonParser)(req, res, (err?: { status?: number; type?: string }) => {
      if (!err) return next();
      const tooLarge = err.type === 'entity.too.large';
      const status = tooLarge ? 413 : (err.status ?? 400);
      res.status(status).json({
        statusCode: status,
        error: tooLarge ? 'Payload Too Large' : 'Bad Request',
        message: tooLarge
          ? blob
            ? `blob is larger than ${config.limits.blobMaxBytes} bytes (BLOB_MAX_BYTES)`
            : `request body is larger than ${config.limits.bodyMaxBytes} bytes (BODY_MAX_BYTES)`
          : err.type === 'entity.parse.failed' ? 'request body is not valid JSON' : 'request body could not be read',
      });
    });
  });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new BadRequestException(describe(errors).join('; ')),
    }),
  );
  return { drain };
}
