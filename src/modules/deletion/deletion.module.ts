import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DeleteDefinitionHandler } from './commands/delete-definition.handler';
import { DeleteInstancesHandler } from './commands/delete-instances.handler';
import { DeletionOperations } from './commands/deletion-operations';
import { InterruptedDeletions } from './commands/interrupted-deletions';
import { RestoreInstanceHandler } from './commands/restore-instance.handler';
import { SoftDeleter } from './commands/soft-deleter';
import { UndoDeletionHandler } from './commands/undo-deletion.handler';
import { DeletionController } from './deletion.controller';

@Module({
  imports: [CqrsModule],
  controllers: [DeletionController],
  providers: [SoftDeleter, DeletionOperations, DeleteInstancesHandler, DeleteDefinitionHandler, RestoreInstanceHandler, UndoDeletionHandler, InterruptedDeletions],
  exports: [InterruptedDeletions],
})
export class DeletionModule {}
