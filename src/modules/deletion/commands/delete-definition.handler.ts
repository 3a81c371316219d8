import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { Clock } from '../../../shared/clock';
import { CommandRunner } from '../../../shared/event-sourcing/command-runner';
import { CommandContext } from '../../../shared/event-sourcing/event';
import { definitionStream } from '../../../shared/event-sourcing/streams';
import { InstanceReadModel } from '../../../shared/read-models/read-model.ports';
import { definitionDecider } from '../../definitions/domain/definition.decider';
import { DeletionOperations, OperationRequest } from './deletion-operations';

export class DeleteDefinition {
  constructor(
    readonly definitionId: string,
    readonly reason: string | undefined,
    readonly ctx: CommandContext,
  ) {}
}

const SWEEP = 10_000;
const MAX_SWEEPS = 1000;

/**
 * Soft-deletes the definition first (from then on new instances are refused), then every live
 * instance of it. Deleting it again resumes the same operation, so a crash half-way is finished
 * by repeating the request.
 */
@CommandHandler(DeleteDefinition)
export class DeleteDefinitionHandler implements ICommandHandler<DeleteDefinition> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly operations: DeletionOperations,
    private readonly instances: InstanceReadModel,
    private readonly clock: Clock,
  ) {}

  async execute({ definitionId, reason, ctx }: DeleteDefinition) {
    const { state } = await this.commands.run(
      definitionStream(definitionId),
      definitionDecider,
      { type: 'DeleteDefinition', definitionId, operationId: randomUUID(), by: ctx.actor, reason, now: this.clock.now().toISOString() },
      ctx,
    );
    const operationId = state.deleted!.operationId;
    const req: OperationRequest = { operationId, kind: 'definition', selection: { definitionId }, reason, fingerprint: { definitionId } };
    const filter = { definitionId, deleted: 'exclude' as const };
    const { alreadyCompleted, now } = await this.operations.begin(req, await this.instances.count(filter), ctx);
    if (!alreadyCompleted) {
      const total = { softDeleted: 0, alreadyDeleted: 0, notFound: 0, purgeAfter: this.operations.purgeAfter(now) };
      // Sweep until no live instance is left: an instance created just before the definition
      // was deleted may become visible only after the first sweep.
      for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
        const ids = await this.instances.selectIds(filter, SWEEP);
        if (ids.length === 0) break;
        const outcome = await this.operations.softDelete(req, ids, ctx, now);
        total.softDeleted += outcome.softDeleted;
        total.alreadyDeleted += outcome.alreadyDeleted;
        total.notFound += outcome.notFound;
        total.purgeAfter = outcome.purgeAfter;
      }
      await this.operations.complete(operationId, total, ctx);
    }
    return this.operations.view(operationId);
  }
}
