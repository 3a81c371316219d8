import { Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Clock } from '../../../shared/clock';
import { CommandRunner } from '../../../shared/event-sourcing/command-runner';
import { deletionOperationStream } from '../../../shared/event-sourcing/streams';
import { LeaseStore } from '../../../shared/leases/lease-store.port';
import { JsonLogger } from '../../../shared/logging/json-logger';
import { DeletionReadModel } from '../../../shared/read-models/read-model.ports';
import { AppSettings } from '../../../shared/settings';
import { deletionDecider } from '../domain/deletion.decider';

const LEASE = 'deletion-recovery';
const BATCH = 100;

/**
 * Closes deletion operations whose request a crash cut off before it recorded its outcome (a
 * retry with the same Idempotency-Key finishes its own operation; one without a key starts a new
 * operation and leaves the old one in `SoftDeleting`). After `DELETION_RECOVERY_AFTER_MS` such an
 * operation is completed with what it did (`interrupted: true`): its soft-deleted instances go on
 * to the purge, the instances it never reached stay live, and one warning names it so the
 * requester can repeat the request. One replica does it at a time (a lease); a run that finds
 * nothing logs nothing.
 */
@Injectable()
export class InterruptedDeletions implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly owner = `recovery:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly deletions: DeletionReadModel,
    private readonly commands: CommandRunner,
    private readonly leases: LeaseStore,
    private readonly clock: Clock,
    private readonly settings: AppSettings,
    private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap() {
    const every = this.settings.config.deletionRecovery.intervalMs;
    if (every > 0) this.timer = setInterval(() => void (this.running ??= this.closeStale().catch((e) => this.failed(e)).finally(() => (this.running = null))), every);
  }

  async beforeApplicationShutdown() {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private failed(e: unknown) {
    this.logger.event('error', 'Deletion', 'closing interrupted deletion operations failed; will retry', { error: e instanceof Error ? e.message : String(e) });
  }

  /** Closes every interrupted operation older than the threshold; returns how many. */
  async closeStale(): Promise<number> {
    const cfg = this.settings.config;
    const now = this.clock.now();
    const lease = await this.leases.acquire(LEASE, this.owner, 60_000, now);
    if (!lease) return 0;
    let closed = 0;
    try {
      const before = new Date(now.getTime() - cfg.deletionRecovery.afterMs).toISOString();
      for (;;) {
        const ops = await this.deletions.interruptedOperations(before, BATCH);
        for (const op of ops) {
          const purgeAfter = new Date(Date.parse(op.requestedAt) + cfg.purge.gracePeriodSeconds * 1000).toISOString();
          const ctx = { actor: 'system:recovery', correlationId: op.id, causationId: `recovery:${op.id}` };
          await this.commands.run(
            deletionOperationStream(op.id),
            deletionDecider,
            { type: 'CompleteSoftDelete', operationId: op.id, softDeleted: op.softDeleted, alreadyDeleted: 0, notFound: 0, purgeAfter, interrupted: true, now: now.toISOString() },
            ctx,
          );
          closed++;
          this.logger.event('warn', 'Deletion', 'closed a deletion operation a crash interrupted; instances it did not reach stay live, repeat the request to delete them', {
            operationId: op.id,
            requestedBy: op.requestedBy,
            requestedAt: op.requestedAt,
            matched: op.matched,
            softDeleted: op.softDeleted,
          });
        }
        if (ops.length < BATCH) break;
      }
    } finally {
      await this.leases.release(LEASE, this.owner, lease.epoch).catch(() => undefined);
    }
    return closed;
  }
}
