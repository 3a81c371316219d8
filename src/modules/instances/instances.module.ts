import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { BlobsController } from './blobs.controller';
import { BookmarksController } from './bookmarks.controller';
import { AttachBlobHandler } from './commands/attach-blob.handler';
import { ChangeStatusHandler } from './commands/change-status.handler';
import { CreateBookmarkHandler } from './commands/create-bookmark.handler';
import { CreateInstanceHandler } from './commands/create-instance.handler';
import { ResumeBookmarkHandler } from './commands/resume-bookmark.handler';
import { InstancesController } from './instances.controller';

@Module({
  imports: [CqrsModule],
  controllers: [InstancesController, BookmarksController, BlobsController],
  providers: [CreateInstanceHandler, CreateBookmarkHandler, ResumeBookmarkHandler, ChangeStatusHandler, AttachBlobHandler],
})
export class InstancesModule {}
