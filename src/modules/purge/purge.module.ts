import { Module } from '@nestjs/common';
import { InstancePurger } from './instance-purger';
import { PurgeJob } from './jobs/purge.job';
import { PurgeHooks } from './purge.hooks';
import { PurgeMetrics } from './purge.metrics';
import { PurgeService } from './purge.service';

@Module({
  providers: [PurgeHooks, PurgeMetrics, InstancePurger, PurgeService, PurgeJob],
  exports: [PurgeService, PurgeMetrics],
})
export class PurgeModule {}
