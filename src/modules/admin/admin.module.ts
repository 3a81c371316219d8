import { Module } from '@nestjs/common';
import { PurgeModule } from '../purge/purge.module';
import { AdminController } from './admin.controller';
import { RebuildJob } from './rebuild-job';
import { WhoamiController } from './whoami.controller';

@Module({
  imports: [PurgeModule],
  controllers: [AdminController, WhoamiController],
  providers: [RebuildJob],
})
export class AdminModule {}
