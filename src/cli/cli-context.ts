import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { AppConfig, loadConfig } from '../config/app.config';
import { JsonLogger } from '../shared/logging/json-logger';

/** A failure the user can fix: printed as one line, exit code 2. */
export class UsageError extends Error {}

/**
 * The service's modules without HTTP, for one CLI command. The scheduled purge stays off (a
 * command does its work once); logs go to stderr so stdout carries only the command's output.
 */
export async function withContext<T>(fn: (ctx: INestApplicationContext, config: AppConfig) => Promise<T>): Promise<T> {
  const config = loadConfig({ ...process.env, PURGE_ENABLED: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const logger = new JsonLogger(config.logLevel, (line) => process.stderr.write(line + '\n'));
  const app = await NestFactory.createApplicationContext(AppModule.forConfig(config, logger), { logger });
  try {
    return await fn(app, config);
  } finally {
    await app.close();
  }
}


/**
 * A one-line progress bar on stderr (a TTY) or a line per 10% (logs, CI). `from` is where this
 * run started (a resumed run): the rate counts only what it did.
 */
export function progress(label: string, total: number, from = 0) {
  const start = Date.now();
  let lastTenth = -1;
  return (done: number) => {
    const secs = (Date.now() - start) / 1000;
    const rate = secs > 0 ? (done - from) / secs : 0;
    const eta = rate > 0 ? Math.max(0, (total - done) / rate) : 0;
    const pct = total ? Math.floor((done / total) * 100) : 100;
    const text = `${label} ${done}/${total} (${pct}%) ${Math.round(rate)}/s eta ${eta.toFixed(0)}s`;
    if (process.stderr.isTTY) {
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      process.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${text}`);
      if (done >= total) process.stderr.write('\n');
    } else if (Math.floor(pct / 10) !== lastTenth || done >= total) {
      lastTenth = Math.floor(pct / 10);
      process.stderr.write(text + '\n');
    }
  };
}
