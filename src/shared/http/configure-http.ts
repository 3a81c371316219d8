import { INestApplication, ValidationError, ValidationPipe, BadRequestException } from '@nestjs/common';
import { json, raw } from 'express';
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
  app.use((req: { method: string; path: string }, res: unknown, next: () => void) =>
    (req.method === 'PUT' && BLOB_PUT.test(req.path) ? blobParser : jsonParser)(req as never, res as never, next),
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
