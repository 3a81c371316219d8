import { Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Clock } from '../../shared/clock';
import { CommandContext } from '../../shared/event-sourcing/event';
import { handleCommand } from '../../shared/event-sourcing/handle-command';
import { EventStore } from '../../shared/event-sourcing/event-store.port';
import { hardDeleteBatchStream } from '../../shared/event-sourcing/streams';
import { LeaseStore } from '../../shared/leases/lease-store.port';
import { JsonLogger } from '../../shared/logging/json-logger';
import { DeletionReadModel, InstanceReadModel } from '../../shared/read-models/read-model.ports';
import { AppSettings } from '../../shared/settings';
import { purgeBatchDecider } from './domain/purge-batch.decider';
import { BatchOutcome, InstancePurger } from './instance-purger';
import { PurgeHooks } from './purge.hooks';
import { PurgeMetrics } from './purge.metrics';

export interface PurgeRunReport {
  /** Why nothing ran, when nothing ran. */
  skipped?: 'lease-held';
  batches: BatchOutcome[];
  purged: number;
  failed: number;
}

export const PURGE_LEASE = 'purge';
const MAX_BATCHES_PER_RUN = 1000;

/** The lease was lost mid-run: stop at once and leave the batch to the next holder. */
export class LeaseLostError extends Error {}

/**
 * One purge run: take the lease, finish batches a crash left open, then claim and purge new
 * batches while full batches keep coming. The rules live in the deciders; this drives them.
 */
@Injectable()
export class PurgeService {
  private readonly owner = `purge:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly events: EventStore,
    private readonly instances: InstanceReadModel,
    private readonly deletions: DeletionReadModel,
    private readonly leases: LeaseStore,
    private readonly purger: InstancePurger,
    private readonly clock: Clock,
    private readonly settings: AppSettings,
    private readonly logger: JsonLogger,
    private readonly hooks: PurgeHooks,
    private readonly metrics: PurgeMetrics,
  ) {}

  /**
   * `signal` stops the run between batches (shutdown): the batch in hand finishes, the lease is
   * released, and the next run, here or on another replica, takes the rest.
   */
  async runOnce(options: { maxBatches?: number; signal?: AbortSignal } = {}): Promise<PurgeRunReport> {
    const cfg = this.settings.config.purge;
    const report: PurgeRunReport = { batches: [], purged: 0, failed: 0 };
    const lease = await this.leases.acquire(PURGE_LEASE, this.owner, cfg.leaseTtlMs, this.clock.now());
    if (!lease) return { ...report, skipped: 'lease-held' };
    // Renews the lease and checks it is still ours (fencing) before each step that writes.
    const fence = async () => {
      const held = await this.leases.acquire(PURGE_LEASE, this.owner, cfg.leaseTtlMs, this.clock.now());
      if (!held || held.epoch !== lease.epoch) throw new LeaseLostError(`purge lease lost (epoch ${lease.epoch})`);
    };
    const record = (b: BatchOutcome) => {
      report.batches.push(b);
      report.purged += b.purged;
      report.failed += b.failed;
    };
    try {
      for (const open of await this.deletions.openBatches(MAX_BATCHES_PER_RUN)) {
        if (options.signal?.aborted) return report;
        record(await this.purger.purgeBatch(open.id, open.instanceIds, fence, true));
      }
      const maxBatches = options.maxBatches ?? MAX_BATCHES_PER_RUN;
      for (let n = 0; n < maxBatches && !options.signal?.aborted; n++) {
        const candidates = await this.instances.purgeCandidates(this.clock.now().toISOString(), cfg.batchSize);
        if (candidates.length === 0) break;
        const batchId = await this.claim(candidates, fence);
        record(await this.purger.purgeBatch(batchId, candidates, fence, false));
        if (candidates.length < cfg.batchSize) break;
      }
      this.metrics.lastSuccess.setToCurrentTime();
    } catch (e) {
      if (!(e instanceof LeaseLostError)) throw e;
      this.logger.event('info', 'Purge', 'purge lease lost; the next holder finishes the open batch', { epoch: lease.epoch });
    } finally {
      await this.leases.release(PURGE_LEASE, this.owner, lease.epoch).catch(() => undefined);
    }
    return report;
  }

  /** `HardDeleteBatchRequested` is the claim: a crash after it leaves an open batch the next run finishes first. */
  private async claim(instanceIds: string[], fence: () => Promise<void>): Promise<string> {
    const batchId = randomUUID();
    const ctx: CommandContext = { actor: 'system:purge', correlationId: batchId, causationId: `${batchId}:requested` };
    await fence();
    const r = await handleCommand(this.events, hardDeleteBatchStream(batchId), purgeBatchDecider, { type: 'RequestBatch', batchId, instanceIds, now: this.clock.now().toISOString() }, ctx);
    if (r.position === null) throw new Error(`batch ${batchId} was not recorded`);
    await this.hooks.after('claimed', batchId);
    return batchId;
  }
}

