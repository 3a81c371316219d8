import { Module } from '@nestjs/common';
import { PurgeModule } from '../purge/purge.module';
import { AdminController } from './admin.controller';
import { RebuildJob } from './rebuild-job';

@Module({
  imports: [PurgeModule],
  controllers: [AdminController],
  providers: [RebuildJob],
})
export class AdminModule {}
