import { Controller, Get, Param } from '@nestjs/common';
import { NotFoundError } from '../../shared/event-sourcing/errors';
import { DeletionReadModel, InstanceReadModel } from '../../shared/read-models/read-model.ports';

@Controller('api/audit')
export class AuditController {
  constructor(
    private readonly deletions: DeletionReadModel,
    private readonly instances: InstanceReadModel,
  ) {}

  /** The deletion history of an instance; it answers for purged instances too. */
  @Get('workflow-instances/:id')
  async instance(@Param('id') id: string) {
    const audit = await this.deletions.audit(id);
    if (audit) return { instanceId: id, items: audit.items };
    if (await this.instances.get(id)) return { instanceId: id, items: [] };
    throw new NotFoundError(`no workflow instance ${id} and no deletion history for it`);
  }
}
