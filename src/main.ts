// Blob deletes run on libuv's thread pool; its default of 4 threads caps the purge's parallelism.
process.env.UV_THREADPOOL_SIZE ??= '16';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { ConfigError, loadConfig } from './config/app.config';
import { configureHttp } from './shared/http/configure-http';
import { handleShutdownSignals } from './shared/lifecycle/graceful-shutdown';
import { JsonLogger } from './shared/logging/json-logger';

async function bootstrap() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`configuration error: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = new JsonLogger(config.logLevel);
  const app = await NestFactory.create(AppModule.forConfig(config, logger), { logger, bodyParser: false });
  const { drain } = configureHttp(app, config);
  await app.listen(config.port, config.host);
  handleShutdownSignals(app, drain, config.shutdownTimeoutMs, logger);
  logger.event('info', 'Main', 'service started', {
    url: `http://${config.host}:${config.port}`,
    storage: config.storage,
    dataDir: config.storage === 'embedded' ? config.dataDir : undefined,
    purge: config.purge.enabled ? { intervalMs: config.purge.intervalMs, gracePeriodSeconds: config.purge.gracePeriodSeconds } : 'disabled',
    auth: config.apiKeys.length > 0 ? { keys: config.apiKeys.length } : 'off: no API_KEYS, so loopback only',
  });
}

void bootstrap().catch((e) => {
  process.stderr.write(`start-up failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
