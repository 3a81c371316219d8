import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { fold } from '../../../shared/event-sourcing/decider';
import { CommandContext } from '../../../shared/event-sourcing/event';
import { NotFoundError, ValidationError } from '../../../shared/event-sourcing/errors';
import { EventStore } from '../../../shared/event-sourcing/event-store.port';
import { eventId } from '../../../shared/event-sourcing/handle-command';
import { instanceStream } from '../../../shared/event-sourcing/streams';
import { InstanceFilter, InstanceReadModel } from '../../../shared/read-models/read-model.ports';
import { instanceDecider } from '../../instances/domain/instance.decider';
import { InstanceEvent } from '../../instances/domain/instance.events';
import { DeletionOperations, OperationRequest } from './deletion-operations';

export type Selection = { kind: 'instance'; id: string } | { kind: 'ids'; ids: string[] } | { kind: 'filter'; filter: InstanceFilter };

export class DeleteInstances {
  constructor(
    readonly selection: Selection,
    readonly reason: string | undefined,
    readonly idempotencyKey: string | undefined,
    readonly ctx: CommandContext,
  ) {}
}

/** A filter may select at most this many instances in one operation. */
export const MAX_FILTER_MATCHES = 1_000_000;
/** Explicit id lists larger than this are recorded in the event by count and hash only. */
const IDS_IN_EVENT = 1000;

@CommandHandler(DeleteInstances)
export class DeleteInstancesHandler implements ICommandHandler<DeleteInstances> {
  constructor(
    private readonly operations: DeletionOperations,
    private readonly events: EventStore,
    private readonly instances: InstanceReadModel,
  ) {}

  async execute({ selection, reason, idempotencyKey, ctx }: DeleteInstances) {
    let operationId = idempotencyKey ? eventId(`idempotency:${ctx.actor}:${idempotencyKey}`, 0) : randomUUID();
    if (selection.kind === 'instance') {
      const single = await this.singleDelete(selection.id, ctx);
      if (single.repeat) return single.repeat;
      // Without a key, a single delete is identified by what it deletes: the instance at its
      // current revision. A retry after a crash cut the request off continues the operation
      // the first attempt recorded instead of leaving it in SoftDeleting for good.
      if (!idempotencyKey) operationId = eventId(`instance-delete:${ctx.actor}:${selection.id}:${single.revision}:${reason ?? ''}`, 0);
    }
    const ids = await this.resolve(selection);
    const req: OperationRequest = {
      operationId,
      kind: selection.kind === 'instance' ? 'instance' : 'bulk',
      selection: this.describe(selection, ids),
      reason,
      fingerprint: { selection: selection.kind === 'ids' ? [...ids].sort() : selection, reason: reason ?? null },
    };
    const { alreadyCompleted, now } = await this.operations.begin(req, ids.length, ctx);
    if (!alreadyCompleted) {
      const outcome = await this.operations.softDelete(req, ids, ctx, now);
      await this.operations.complete(operationId, outcome, ctx);
    }
    return this.operations.view(operationId);
  }

  /**
   * Deleting an instance that is already soft-deleted is an answer, not an error: the operation
   * that deleted it, with this request's counts, and nothing appended. When that operation was a
   * single delete whose request a crash cut off between the soft delete and its completion, the
   * repeat completes it (idempotent: a completed operation appends nothing).
   */
  private async singleDelete(id: string, ctx: CommandContext) {
    const recorded = await this.events.readStream(instanceStream(id));
    const state = fold(instanceDecider, recorded as unknown as InstanceEvent[]);
    const revision = recorded.length ? recorded[recorded.length - 1].revision : -1;
    if (!state.id || state.purged) throw new NotFoundError(`workflow instance ${id} not found`);
    if (!state.deleted) return { revision, repeat: null };
    let original = await this.operations.view(state.deleted.operationId);
    if (original.kind === 'instance' && original.softDeleteCompletedAt === null) {
      await this.operations.complete(original.id, { softDeleted: 1, alreadyDeleted: 0, notFound: 0, purgeAfter: state.deleted.purgeAfter }, ctx);
      original = await this.operations.view(original.id);
    }
    return { revision, repeat: { ...original, matched: 1, softDeleted: 0, alreadyDeleted: 1, notFound: 0 } };
  }

  private async resolve(selection: Selection): Promise<string[]> {
    switch (selection.kind) {
      case 'instance':
        return [selection.id];
      case 'ids':
        return [...new Set(selection.ids)];
      case 'filter': {
        const ids = await this.instances.selectIds(selection.filter, MAX_FILTER_MATCHES + 1);
        if (ids.length > MAX_FILTER_MATCHES)
          throw new ValidationError(`filter matches more than ${MAX_FILTER_MATCHES} instances; narrow the filter`);
        return ids;
      }
    }
  }

  private describe(selection: Selection, ids: string[]): Record<string, unknown> {
    if (selection.kind === 'instance') return { instanceId: selection.id };
    if (selection.kind === 'filter') return { filter: selection.filter };
    return ids.length <= IDS_IN_EVENT ? { ids } : { idsCount: ids.length };
  }
}
