import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Response } from 'express';
import { CommandContext } from '../../shared/event-sourcing/event';
import { NotFoundError, ValidationError } from '../../shared/event-sourcing/errors';
import { RequireRole } from '../../shared/http/auth.guard';
import { Ctx } from '../../shared/http/request-context';
import { DeletionReadModel, InstanceReadModel } from '../../shared/read-models/read-model.ports';
import { DeleteBodyDto } from '../definitions/definitions.dto';
import { instanceView, toFilter } from '../instances/instance.view';
import { DeleteInstances, Selection } from './commands/delete-instances.handler';
import { RestoreInstance } from './commands/restore-instance.handler';
import { UndoDeletion } from './commands/undo-deletion.handler';
import { BulkDeleteDto, IDEMPOTENCY_KEY, ListOperationsDto } from './deletion.dto';
import { operationView } from './operation.view';

@Controller('api')
export class DeletionController {
  constructor(
    private readonly commands: CommandBus,
    private readonly instances: InstanceReadModel,
    private readonly deletions: DeletionReadModel,
  ) {}

  @Delete('workflow-instances/:id')
  @HttpCode(202)
  @RequireRole('operator')
  async deleteOne(@Param('id') id: string, @Body() body: DeleteBodyDto, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new DeleteInstances({ kind: 'instance', id }, body.reason, undefined, ctx));
  }

  @Post('workflow-instances/bulk-delete')
  @RequireRole('operator')
  async bulkDelete(
    @Body() body: BulkDeleteDto,
    @Headers('idempotency-key') key: string | undefined,
    @Ctx() ctx: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    if ((body.ids === undefined) === (body.filter === undefined)) throw new ValidationError('exactly one of ids or filter is required');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
      throw new ValidationError("Idempotency-Key must be 1-200 characters of letters, digits, '.', ':', '_' or '-'");
    const selection: Selection = body.ids ? { kind: 'ids', ids: body.ids } : { kind: 'filter', filter: toFilter(body.filter!) };
    if (body.dryRun) {
      res.status(200);
      return this.dryRun(selection);
    }
    res.status(202);
    return this.commands.execute(new DeleteInstances(selection, body.reason, key, ctx));
  }

  /** What the deletion would do, changing nothing. */
  private async dryRun(selection: Selection) {
    if (selection.kind === 'filter') {
      const matched = await this.instances.count(selection.filter);
      return { matched };
    }
    const ids = [...new Set(selection.kind === 'ids' ? selection.ids : [selection.id])];
    const docs = await this.instances.getMany(ids);
    const alreadyDeleted = [...docs.values()].filter((d) => d.isDeleted).length;
    return { matched: ids.length, wouldSoftDelete: docs.size - alreadyDeleted, alreadyDeleted, notFound: ids.length - docs.size };
  }

  @Post('workflow-instances/:id/restore')
  @HttpCode(200)
  @RequireRole('operator')
  async restore(@Param('id') id: string, @Ctx() ctx: CommandContext) {
    await this.commands.execute(new RestoreInstance(id, ctx));
    const doc = await this.instances.get(id);
    if (!doc) throw new NotFoundError(`workflow instance ${id} not found`);
    return instanceView(doc);
  }

  @Get('deletion-operations')
  async listOperations(@Query() q: ListOperationsDto) {
    const items = await this.deletions.listOperations({ limit: q.limit ?? 100, from: q.from, to: q.to, actor: q.actor });
    return { items: items.map(operationView) };
  }

  @Get('deletion-operations/:id')
  async getOperation(@Param('id') id: string) {
    const op = await this.deletions.getOperation(id);
    if (!op) throw new NotFoundError(`deletion operation ${id} not found`);
    return operationView(op);
  }

  @Post('deletion-operations/:id/undo')
  @HttpCode(200)
  @RequireRole('admin')
  async undo(@Param('id') id: string, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new UndoDeletion(id, ctx));
  }
}
