import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown, Provider } from '@nestjs/common';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../config/app.config';
import { BlobStore } from '../blobs/blob-store.port';
import { FilesystemBlobStore } from '../blobs/adapters/filesystem-blob-store';
import { Clock, SystemClock } from '../clock';
import { EventStore } from '../event-sourcing/event-store.port';
import { CommandRunner } from '../event-sourcing/command-runner';
import { SqliteEventStore } from '../event-sourcing/adapters/sqlite-event-store';
import { LeaseStore } from '../leases/lease-store.port';
import { SqliteLeaseStore } from '../leases/adapters/sqlite-lease-store';
import { JsonLogger } from '../logging/json-logger';
import { ProjectionRunner } from '../projections/projection-runner';
import { ProjectionStore } from '../projections/projection-store.port';
import { SqliteProjectionStore } from '../projections/adapters/sqlite-projection-store';
import { DefinitionReadModel, DeletionReadModel, InstanceReadModel } from '../read-models/read-model.ports';
import { SqliteInstanceReadModel } from '../read-models/adapters/sqlite-instance-read-model';
import { SqliteDefinitionReadModel, SqliteDeletionReadModel } from '../read-models/adapters/sqlite-catalog-read-models';
import { AppSettings } from '../settings';
import { SqliteConnection } from '../sqlite/sqlite-database';
import { ALL_PROJECTIONS } from './projections.registry';
import { openProductionStores } from './production-stores';

/** The adapters of every port, chosen once from validated configuration. */
export interface Stores {
  events: EventStore;
  projections: ProjectionStore;
  leases: LeaseStore;
  blobs: BlobStore;
  definitions: DefinitionReadModel;
  instances: InstanceReadModel;
  deletions: DeletionReadModel;
  close(): Promise<void>;
}

export function openEmbeddedStores(dataDir: string, sqliteBusyTimeoutMs?: number): Stores {
  const conn = new SqliteConnection(join(dataDir, 'workflows.db'), sqliteBusyTimeoutMs);
  return {
    events: new SqliteEventStore(conn),
    projections: new SqliteProjectionStore(conn),
    leases: new SqliteLeaseStore(conn),
    blobs: new FilesystemBlobStore(join(dataDir, 'blobs')),
    definitions: new SqliteDefinitionReadModel(conn),
    instances: new SqliteInstanceReadModel(conn),
    deletions: new SqliteDeletionReadModel(conn),
    close: async () => conn.close(),
  };
}

export async function openStores(config: AppConfig): Promise<Stores> {
  return config.storage === 'embedded' ? openEmbeddedStores(config.dataDir, config.sqliteBusyTimeoutMs) : openProductionStores(config);
}

const STORES = Symbol('Stores');

/** Starts the projector after every module is ready and closes clients last on shutdown. */
@Injectable()
class StorageLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(STORES) private readonly stores: Stores,
    private readonly runner: ProjectionRunner,
  ) {}
  async onApplicationBootstrap() {
    await this.runner.start();
  }
  async onApplicationShutdown() {
    await this.runner.stop();
    await this.stores.close();
  }
}

@Global()
@Module({})
export class StorageModule {
  static forConfig(config: AppConfig, logger: JsonLogger, clock: Clock = new SystemClock()): DynamicModule {
    const from = <T>(pick: (s: Stores) => T) => ({ inject: [STORES], useFactory: pick });
    const providers: Provider[] = [
      { provide: AppSettings, useValue: new AppSettings(config) },
      { provide: JsonLogger, useValue: logger },
      { provide: Clock, useValue: clock },
      { provide: STORES, useFactory: () => openStores(config) },
      { provide: EventStore, ...from((s) => s.events) },
      { provide: ProjectionStore, ...from((s) => s.projections) },
      { provide: LeaseStore, ...from((s) => s.leases) },
      { provide: BlobStore, ...from((s) => s.blobs) },
      { provide: DefinitionReadModel, ...from((s) => s.definitions) },
      { provide: InstanceReadModel, ...from((s) => s.instances) },
      { provide: DeletionReadModel, ...from((s) => s.deletions) },
      {
        provide: ProjectionRunner,
        inject: [STORES],
        useFactory: (s: Stores) =>
          new ProjectionRunner(s.events, s.projections, ALL_PROJECTIONS, s.leases, clock, logger, {
            owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
            leaseTtlMs: 10_000,
            waitTimeoutMs: 10_000,
          }),
      },
      CommandRunner,
      StorageLifecycle,
    ];
    return {
      module: StorageModule,
      providers,
      exports: [AppSettings, JsonLogger, Clock, EventStore, ProjectionStore, LeaseStore, BlobStore, DefinitionReadModel, InstanceReadModel, DeletionReadModel, ProjectionRunner, CommandRunner],
    };
  }
}
