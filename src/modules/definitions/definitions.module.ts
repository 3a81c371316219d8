import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CreateDefinitionHandler } from './commands/create-definition.handler';
import { DefinitionsController } from './definitions.controller';

@Module({
  imports: [CqrsModule],
  controllers: [DefinitionsController],
  providers: [CreateDefinitionHandler],
})
export class DefinitionsModule {}
