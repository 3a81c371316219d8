import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { CommandContext } from '../../shared/event-sourcing/event';
import { NotFoundError } from '../../shared/event-sourcing/errors';
import { RequireRole } from '../../shared/http/auth.guard';
import { Ctx } from '../../shared/http/request-context';
import { InstanceReadModel } from '../../shared/read-models/read-model.ports';
import { ChangeStatus } from './commands/change-status.handler';
import { CreateBookmark } from './commands/create-bookmark.handler';
import { CreateInstance } from './commands/create-instance.handler';
import { decodeCursor, encodeCursor, instanceView, toFilter } from './instance.view';
import { CreateBookmarkDto, CreateInstanceDto, FaultDto, GetInstanceDto, ListInstancesDto } from './instances.dto';

@Controller('api/workflow-instances')
export class InstancesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly instances: InstanceReadModel,
  ) {}

  @Post()
  @RequireRole('operator')
  async create(@Body() body: CreateInstanceDto, @Ctx() ctx: CommandContext) {
    const id = body.id ?? randomUUID();
    await this.commands.execute(new CreateInstance(id, body.definitionId, body.name ?? null, body.correlationId ?? null, ctx));
    return this.get(id, {});
  }

  @Get()
  async list(@Query() q: ListInstancesDto) {
    const orderBy = q.orderBy ?? 'createdAt';
    const orderDirection = q.orderDirection ?? 'desc';
    const page = await this.instances.list(toFilter(q), {
      limit: q.limit ?? 50,
      orderBy,
      orderDirection,
      after: q.cursor ? decodeCursor(q.cursor, orderBy, orderDirection) : undefined,
    });
    return {
      items: page.items.map(instanceView),
      totalCount: page.totalCount,
      nextCursor: page.next ? encodeCursor(page.next, orderBy, orderDirection) : null,
    };
  }

  @Get(':id')
  async get(@Param('id') id: string, @Query() q: GetInstanceDto) {
    const doc = await this.instances.get(id);
    if (!doc || (doc.isDeleted && q.deleted !== 'include')) throw new NotFoundError(`workflow instance ${id} not found`);
    return instanceView(doc);
  }

  @Post(':id/bookmarks')
  @RequireRole('operator')
  async createBookmark(@Param('id') id: string, @Body() body: CreateBookmarkDto, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new CreateBookmark(id, randomUUID(), body.name, body.payload, ctx));
  }

  @Post(':id/complete')
  @HttpCode(200)
  @RequireRole('operator')
  async complete(@Param('id') id: string, @Ctx() ctx: CommandContext) {
    await this.commands.execute(new ChangeStatus(id, 'Complete', null, ctx));
    return this.get(id, {});
  }

  @Post(':id/fault')
  @HttpCode(200)
  @RequireRole('operator')
  async fault(@Param('id') id: string, @Body() body: FaultDto, @Ctx() ctx: CommandContext) {
    await this.commands.execute(new ChangeStatus(id, 'Fault', body.error ?? null, ctx));
    return this.get(id, {});
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireRole('operator')
  async cancel(@Param('id') id: string, @Ctx() ctx: CommandContext) {
    await this.commands.execute(new ChangeStatus(id, 'Cancel', null, ctx));
    return this.get(id, {});
  }
}
