import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig } from './config/app.config';
import { AdminModule } from './modules/admin/admin.module';
import { AuditModule } from './modules/audit/audit.module';
import { DefinitionsModule } from './modules/definitions/definitions.module';
import { DeletionModule } from './modules/deletion/deletion.module';
import { DemoModule } from './modules/demo/demo.module';
import { HealthModule } from './modules/health/health.module';
import { InstancesModule } from './modules/instances/instances.module';
import { PurgeModule } from './modules/purge/purge.module';
import { WebModule } from './modules/web/web.module';
import { Clock, SystemClock } from './shared/clock';
import { AuthGuard } from './shared/http/auth.guard';
import { ErrorFilter } from './shared/http/error.filter';
import { JsonLogger } from './shared/logging/json-logger';
import { StorageModule } from './shared/storage/storage.module';

@Module({})
export class AppModule {
  static forConfig(config: AppConfig, logger: JsonLogger, clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ScheduleModule.forRoot(),
        StorageModule.forConfig(config, logger, clock),
        DefinitionsModule,
        InstancesModule,
        DeletionModule,
        PurgeModule,
        AdminModule,
        AuditModule,
        HealthModule,
        DemoModule,
        WebModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}
