import { Controller, Get, Param, Query } from '@nestjs/common';
import { ListOperationsDto } from '../deletion/deletion.dto';
import { operationView } from '../deletion/operation.view';
import { NotFoundError } from '../../shared/event-sourcing/errors';
import { DeletionReadModel, InstanceReadModel } from '../../shared/read-models/read-model.ports';

@Controller('api/audit')
export class AuditController {
  constructor(
    private readonly deletions: DeletionReadModel,
    private readonly instances: InstanceReadModel,
  ) {}

  /**
   * Deletion operations for auditors: who, when, why, how many, and the outcome. `from` is
   * inclusive, `to` exclusive (requestedAt); `actor` is the requesting principal.
   */
  @Get('deletions')
  async listDeletions(@Query() q: ListOperationsDto) {
    const items = await this.deletions.listOperations({ limit: q.limit ?? 100, from: q.from, to: q.to, actor: q.actor });
    return {
      items: items.map((op) => {
        const v = operationView(op);
        return {
          operationId: v.id,
          kind: v.kind,
          requestedBy: v.requestedBy,
          requestedAt: v.requestedAt,
          reason: v.reason,
          selection: v.selection,
          matched: v.matched,
          softDeleted: v.softDeleted,
          restored: v.restored,
          purged: v.purged,
          purgeFailed: v.purgeFailed,
          outcome: v.state,
          undoneAt: v.undoneAt,
        };
      }),
    };
  }

  /** The deletion history of an instance; it answers for purged instances too. */
  @Get('workflow-instances/:id')
  async instance(@Param('id') id: string) {
    const audit = await this.deletions.audit(id);
    if (audit) return { instanceId: id, items: audit.items };
    if (await this.instances.get(id)) return { instanceId: id, items: [] };
    throw new NotFoundError(`no workflow instance ${id} and no deletion history for it`);
  }
}
