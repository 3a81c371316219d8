import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppSettings } from '../../../shared/settings';
import { Clock } from '../../../shared/clock';
import { CommandRunner } from '../../../shared/event-sourcing/command-runner';
import { CommandContext } from '../../../shared/event-sourcing/event';
import { NotFoundError } from '../../../shared/event-sourcing/errors';
import { deletionOperationStream } from '../../../shared/event-sourcing/streams';
import { DeletionKind } from '../../../shared/read-models/documents';
import { DeletionReadModel } from '../../../shared/read-models/read-model.ports';
import { deletionDecider } from '../domain/deletion.decider';
import { operationView, OperationView } from '../operation.view';
import { SoftDeleter } from './soft-deleter';

export interface OperationRequest {
  operationId: string;
  kind: DeletionKind;
  selection: Record<string, unknown>;
  reason?: string;
  /** What identifies "the same request" for an Idempotency-Key. */
  fingerprint: unknown;
}

export const requestHash = (fingerprint: unknown) => createHash('sha256').update(JSON.stringify(fingerprint)).digest('hex');

/**
 * The life of one deletion operation: record the request, soft-delete its instances, record the
 * outcome, answer once the read models show it. Every step is idempotent, so running the same
 * operation again (a retried request with the same Idempotency-Key, or a resumed cascade)
 * finishes what a crash left and appends nothing that is already there.
 */
@Injectable()
export class DeletionOperations {
  constructor(
    private readonly commands: CommandRunner,
    private readonly softDeleter: SoftDeleter,
    private readonly deletions: DeletionReadModel,
    private readonly settings: AppSettings,
    private readonly clock: Clock,
  ) {}

  purgeAfter(now: Date): string {
    return new Date(now.getTime() + this.settings.config.purge.gracePeriodSeconds * 1000).toISOString();
  }

  /** Records the request; returns false when the operation had already finished its soft deletes. */
  async begin(req: OperationRequest, matched: number, ctx: CommandContext): Promise<{ alreadyCompleted: boolean; now: Date }> {
    const now = this.clock.now();
    const { state } = await this.commands.run(
      deletionOperationStream(req.operationId),
      deletionDecider,
      {
        type: 'RequestDeletion',
        operationId: req.operationId,
        kind: req.kind,
        selection: req.selection,
        requestedBy: ctx.actor,
        reason: req.reason,
        matched,
        requestHash: requestHash(req.fingerprint),
        now: now.toISOString(),
      },
      ctx,
    );
    return { alreadyCompleted: state.completed, now };
  }

  /** Soft-deletes `ids` under the operation and records the outcome. */
  async softDelete(req: OperationRequest, ids: readonly string[], ctx: CommandContext, now: Date) {
    const purgeAfter = this.purgeAfter(now);
    const outcome = await this.softDeleter.run(ids, { operationId: req.operationId, by: ctx.actor, reason: req.reason, now: now.toISOString(), purgeAfter }, ctx);
    await this.commands.projections.waitFor(outcome.position);
    return { ...outcome, purgeAfter };
  }

  /**
   * Records the outcome. A request a crash cut off and that was then repeated (same
   * Idempotency-Key, a definition deleted again) may have soft-deleted part of its selection in
   * the first attempt; a filter resolved again no longer selects those, so the repeat alone
   * counts too few. The operation's document counts every soft delete it made (its soft deletes
   * were projected before this runs), and the outcome takes the larger count: a rebuild, which no
   * longer sees the soft-delete events of purged instances, then counts the same.
   */
  async complete(operationId: string, counts: { softDeleted: number; alreadyDeleted: number; notFound: number; purgeAfter: string }, ctx: CommandContext) {
    const doc = await this.deletions.getOperation(operationId);
    counts = { ...counts, softDeleted: Math.max(counts.softDeleted, doc?.softDeleted ?? 0) };
    await this.commands.run(
      deletionOperationStream(operationId),
      deletionDecider,
      { type: 'CompleteSoftDelete', operationId, ...counts, now: this.clock.now().toISOString() },
      ctx,
    );
  }

  async view(operationId: string): Promise<OperationView> {
    const op = await this.deletions.getOperation(operationId);
    if (!op) throw new NotFoundError(`deletion operation ${operationId} not found`);
    return operationView(op);
  }
}
