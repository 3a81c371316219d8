import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../shared/clock';
import { CommandRunner } from '../../../shared/event-sourcing/command-runner';
import { CommandContext } from '../../../shared/event-sourcing/event';
import { ConflictError, NotFoundError } from '../../../shared/event-sourcing/errors';
import { handleCommand } from '../../../shared/event-sourcing/handle-command';
import { deletionOperationStream, instanceStream } from '../../../shared/event-sourcing/streams';
import { InstanceReadModel } from '../../../shared/read-models/read-model.ports';
import { instanceDecider } from '../../instances/domain/instance.decider';
import { deletionDecider } from '../domain/deletion.decider';
import { DeletionOperations } from './deletion-operations';

export class UndoDeletion {
  constructor(
    readonly operationId: string,
    readonly ctx: CommandContext,
  ) {}
}

const PAGE = 1000;

/**
 * Restores every instance the operation soft-deleted that the purge has not begun on. Instances
 * deleted since by another operation, or already being purged, are left as they are.
 */
@CommandHandler(UndoDeletion)
export class UndoDeletionHandler implements ICommandHandler<UndoDeletion> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly operations: DeletionOperations,
    private readonly instances: InstanceReadModel,
    private readonly clock: Clock,
  ) {}

  async execute({ operationId, ctx }: UndoDeletion) {
    const now = this.clock.now().toISOString();
    await this.commands.run(deletionOperationStream(operationId), deletionDecider, { type: 'Undo', operationId, by: ctx.actor, now }, ctx);
    const skipped = new Set<string>();
    let position: number | null = null;
    for (;;) {
      const ids = (await this.instances.deletedByOperation(operationId, PAGE + skipped.size)).filter((id) => !skipped.has(id));
      if (ids.length === 0) break;
      for (const instanceId of ids) {
        try {
          const r = await handleCommand(
            this.commands.events,
            instanceStream(instanceId),
            instanceDecider,
            { type: 'Restore', instanceId, by: ctx.actor, byUndo: true, onlyOperationId: operationId, now },
            ctx,
          );
          position = r.position ?? position;
        } catch (e) {
          if (!(e instanceof ConflictError || e instanceof NotFoundError)) throw e;
          skipped.add(instanceId); // being purged, purged, or deleted again by another operation
        }
      }
      await this.commands.projections.waitFor(position);
    }
    return this.operations.view(operationId);
  }
}
