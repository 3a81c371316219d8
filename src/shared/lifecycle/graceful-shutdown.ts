import { INestApplication } from '@nestjs/common';
import { Server } from 'node:http';
import { JsonLogger } from '../logging/json-logger';
import { HttpDrain } from './http-drain';

/**
 * SIGTERM / SIGINT: stop taking requests, let the ones in flight finish (bounded), then close the
 * app — the purge finishes its current batch and releases its lease, the projector releases its
 * lease, stores close — and exit 0. A second signal exits at once (1).
 */
export function handleShutdownSignals(app: INestApplication, drain: HttpDrain, timeoutMs: number, logger: JsonLogger) {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.event('warn', 'Main', 'second signal; exiting without finishing the shutdown', { signal });
      process.exit(1);
    }
    stopping = true;
    const started = Date.now();
    logger.event('info', 'Main', 'shutting down', { signal, inFlight: drain.active, timeoutMs });
    const server = app.getHttpServer() as Server;
    server.close();
    server.closeIdleConnections();
    const left = await drain.drain(timeoutMs);
    if (left > 0) logger.event('warn', 'Main', 'requests still running at the shutdown deadline; closing their connections', { inFlight: left, timeoutMs });
    server.closeAllConnections();
    try {
      await app.close();
    } catch (e) {
      logger.event('error', 'Main', 'shutdown failed', { error: e instanceof Error ? e.message : String(e) });
      process.exit(1);
    }
    logger.event('info', 'Main', 'stopped', { seconds: (Date.now() - started) / 1000 });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
