import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { AppConfig, loadConfig } from '../../src/config/app.config';
import { Clock } from '../../src/shared/clock';
import { RecordedEvent } from '../../src/shared/event-sourcing/event';
import { EventStore } from '../../src/shared/event-sourcing/event-store.port';
import { configureHttp } from '../../src/shared/http/configure-http';
import { JsonLogger } from '../../src/shared/logging/json-logger';
import { assertEventsMatchSchemas } from './event-schemas';

/** A clock tests move by hand. */
export class TestClock extends Clock {
  constructor(private t = Date.parse('2026-01-01T00:00:00.000Z')) {
    super();
  }
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
  set(iso: string) {
    this.t = Date.parse(iso);
  }
}

export interface LogLine {
  level: string;
  msg: string;
  [k: string]: unknown;
}

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  dataDir: string;
  config: AppConfig;
  clock: TestClock;
  logs: LogLine[];
  events: EventStore;
  /** Every event of the global log, in order. */
  allEvents(): Promise<RecordedEvent[]>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  dataDir?: string;
  clock?: TestClock;
  overrides?: { provide: unknown; useValue: unknown }[];
}

/** The real application on the embedded store in a temp directory, served over HTTP. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'wis-test-'));
  const config = loadConfig({ DATA_DIR: dataDir, PURGE_ENABLED: 'false', LOG_LEVEL: 'debug', ...options.env });
  const logs: LogLine[] = [];
  const logger = new JsonLogger('debug', (line) => logs.push(JSON.parse(line)));
  const clock = options.clock ?? new TestClock();
  let builder = Test.createTestingModule({ imports: [AppModule.forConfig(config, logger, clock)] });
  for (const o of options.overrides ?? []) builder = builder.overrideProvider(o.provide).useValue(o.useValue);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger, bodyParser: false });
  configureHttp(app, config);
  await app.init();
  const events = app.get(EventStore);
  return {
    app,
    http: request(app.getHttpServer()),
    dataDir,
    config,
    clock,
    logs,
    events,
    async allEvents() {
      const out: RecordedEvent[] = [];
      for (let after: number | null = null; ; ) {
        const batch = await events.readAll(after, 1000);
        if (batch.length === 0) return out;
        out.push(...batch);
        after = batch[batch.length - 1].position;
      }
    },
    async close(this: TestApp, { keepData = false } = {}) {
      try {
        assertEventsMatchSchemas(await this.allEvents());
      } finally {
        await app.close();
        if (!keepData) rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Log lines at warn or error: a test of a quiet path expects none. */
export const loud = (logs: LogLine[]) => logs.filter((l) => l.level === 'warn' || l.level === 'error');
