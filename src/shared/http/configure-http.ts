import { INestApplication, ValidationError, ValidationPipe, BadRequestException } from '@nestjs/common';
import { NextFunction, Request, Response, json, raw } from 'express';
import { AppConfig } from '../../config/app.config';

const BLOB_PUT = /^\/api\/workflow-instances\/[^/]+\/blobs\/[^/]+$/;

/** Flattens class-validator errors into one message that names each field (with its path). */
function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (parent ? `${parent}.${m}` : m));
    return [...own, ...describe(e.children ?? [], path)];
  });
}

/** Body parsing, validation and shutdown hooks, shared by `main.ts` and the tests. */
export function configureHttp(app: INestApplication, config: AppConfig) {
  const jsonParser = json({ limit: '16mb' });
  const blobParser = raw({ type: () => true, limit: config.blobMaxBytes });
  // Parser errors are answered here: they happen before Nest's filters can see the request.
  app.use((req: Request, res: Response, next: NextFunction) =>
    (req.method === 'PUT' && BLOB_PUT.test(req.path) ? blobParser : jsonParser)(req, res, (err?: { status?: number; type?: string }) => {
      if (!err) return next();
      const tooLarge = err.type === 'entity.too.large';
      const status = tooLarge ? 413 : (err.status ?? 400);
      res.status(status).json({
        statusCode: status,
        error: tooLarge ? 'Payload Too Large' : 'Bad Request',
        message: tooLarge ? 'request body is too large' : err.type === 'entity.parse.failed' ? 'request body is not valid JSON' : 'request body could not be read',
      });
    }),
  );
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new BadRequestException(describe(errors).join('; ')),
    }),
  );
  app.enableShutdownHooks();
}
