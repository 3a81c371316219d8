import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { CommandContext } from '../../shared/event-sourcing/event';
import { NotFoundError } from '../../shared/event-sourcing/errors';
import { RequireRole } from '../../shared/http/auth.guard';
import { Ctx } from '../../shared/http/request-context';
import { DefinitionReadModel } from '../../shared/read-models/read-model.ports';
import { DeleteDefinition } from '../deletion/commands/delete-definition.handler';
import { CreateDefinition } from './commands/create-definition.handler';
import { CreateDefinitionDto, DeleteBodyDto } from './definitions.dto';

@Controller('api/workflow-definitions')
export class DefinitionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly definitions: DefinitionReadModel,
  ) {}

  @Post()
  @RequireRole('operator')
  async create(@Body() body: CreateDefinitionDto, @Ctx() ctx: CommandContext) {
    const id = body.id ?? randomUUID();
    await this.commands.execute(new CreateDefinition(id, body.name, ctx));
    return this.get(id);
  }

  @Get()
  async list() {
    return { items: await this.definitions.list() };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const doc = await this.definitions.get(id, false);
    if (!doc) throw new NotFoundError(`workflow definition ${id} not found`);
    return doc;
  }

  @Delete(':id')
  @HttpCode(202)
  @RequireRole('operator')
  async delete(@Param('id') id: string, @Body() body: DeleteBodyDto, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new DeleteDefinition(id, body.reason, ctx));
  }
}
