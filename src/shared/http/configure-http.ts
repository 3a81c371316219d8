import { INestApplication, ValidationError, ValidationPipe, BadRequestException } from '@nestjs/common';
import { AppConfig } from '../../config/app.config';
import { HttpDrain } from '../lifecycle/http-drain';
import { bodyParsers } from './body-parsers';
import { installLimits } from './limits';
import { securityHeaders } from './security-headers';

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
  app.use(bodyParsers(config.limits));
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
