import { Module } from '@nestjs/common';
import { PurgeModule } from '../purge/purge.module';
import { HealthController } from './health.controller';

@Module({ imports: [PurgeModule], controllers: [HealthController] })
export class HealthModule {}
