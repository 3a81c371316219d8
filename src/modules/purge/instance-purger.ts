import { Injectable } from '@nestjs/common';
import { BlobStore } from '../../shared/blobs/blob-store.port';
import { Clock } from '../../shared/clock';
import { mapLimit } from '../../shared/concurrency';
import { fold } from '../../shared/event-sourcing/decider';
import { CommandContext, DomainEvent } from '../../shared/event-sourcing/event';
import { EventStore, StreamAppend } from '../../shared/event-sourcing/event-store.port';
import { handleCommand, toNewEvents } from '../../shared/event-sourcing/handle-command';
import { hardDeleteBatchStream, instanceStream } from '../../shared/event-sourcing/streams';
import { JsonLogger } from '../../shared/logging/json-logger';
import { ProjectionRunner } from '../../shared/projections/projection-runner';
import { DeletionReadModel, InstanceReadModel } from '../../shared/read-models/read-model.ports';
import { AppSettings } from '../../shared/settings';
import { InstanceCommand, InstanceState, instanceDecider, restoringOperations } from '../instances/domain/instance.decider';
import { InstanceEvent } from '../instances/domain/instance.events';
import { purgeBatchDecider } from './domain/purge-batch.decider';
import { InstancePurgeFailed } from './domain/purge.events';
import { PurgeHooks } from './purge.hooks';
import { PurgeMetrics } from './purge.metrics';

export interface BatchOutcome {
  batchId: string;
  resumed: boolean;
  claimed: number;
  purged: number;
  failed: number;
  /** Claimed instances that were no longer purgeable (restored meanwhile). */
  skipped: number;
  seconds: number;
}

interface Tracked {
  state: InstanceState;
  revision: number;
}

const MAX_ROUNDS = 5;
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 500);

/**
 * Purges the instances of one batch, step by step for the whole batch: mark the purge begun,
 * delete blobs, delete bookmarks, append `InstancePurged`, truncate the streams. Every step is
 * idempotent, so a batch a crash left open is simply run again. A failing instance is recorded
 * and set aside; the rest of the batch goes on.
 */
@Injectable()
export class InstancePurger {
  constructor(
    private readonly events: EventStore,
    private readonly instances: InstanceReadModel,
    private readonly deletions: DeletionReadModel,
    private readonly blobs: BlobStore,
    private readonly projections: ProjectionRunner,
    private readonly clock: Clock,
    private readonly settings: AppSettings,
    private readonly logger: JsonLogger,
    private readonly metrics: PurgeMetrics,
    private readonly hooks: PurgeHooks,
  ) {}

  async purgeBatch(batchId: string, ids: string[], fence: () => Promise<void>, resumed: boolean): Promise<BatchOutcome> {
    const stopTimer = this.metrics.batchDuration.startTimer();
    const t0 = performance.now();
    const ctx: CommandContext = { actor: 'system:purge', correlationId: batchId, causationId: batchId };
    const failures = new Map<string, unknown>();
    const skipped = new Set<string>();
    let position: number | null = null;
    const note = (p: number) => (position = Math.max(position ?? 0, p));

    // 1. Re-check each instance under the lease and mark its purge begun: from here a restore is refused.
    await fence();
    const { ready, alreadyPurged } = await this.begin(batchId, ids, ctx, skipped, note);
    await this.hooks.after('started', batchId);

    // 2. Blobs. A missing blob is success (the adapters say so), so a resumed batch passes through.
    await fence();
    await mapLimit([...ready.keys()], this.settings.config.purge.concurrency, async (id) => {
      try {
        await this.blobs.deleteAll(id);
      } catch (e) {
        failures.set(id, e);
      }
    });
    await this.hooks.after('blobs', batchId);

    // 3. Bookmarks, every one the instance ever had (resumed ones are gone already: success).
    const live = () => [...ready.keys()].filter((id) => !failures.has(id));
    try {
      await this.instances.deleteBookmarks(live().flatMap((id) => Object.keys(ready.get(id)!.state.bookmarks)));
    } catch (e) {
      for (const id of live()) failures.set(id, e);
    }
    await this.hooks.after('bookmarks', batchId);

    // 4. The marker, appended with the expected revision: the stream's last event from now on.
    await fence();
    const purgedNow = await this.appendPurged(batchId, live(), ready, ctx, failures, note);
    await this.hooks.after('purged', batchId);

    // 5. Everything before the marker goes (embedded: rows deleted; EventStoreDB: $tb).
    await this.events.truncateMany([...purgedNow, ...alreadyPurged].map(([id, revision]) => ({ streamId: instanceStream(id), revision })));
    await this.hooks.after('truncated', batchId);

    // 6. Failures, then the batch's end.
    await fence();
    for (const [id, error] of failures) await this.recordFailure(batchId, id, ready.get(id)!.state, error, ctx, note);
    const purged = purgedNow.size + alreadyPurged.size;
    const done = await handleCommand(this.events, hardDeleteBatchStream(batchId), purgeBatchDecider, { type: 'CompleteBatch', batchId, purged, now: this.clock.now().toISOString() }, { ...ctx, causationId: `${batchId}:completed` });
    if (done.position !== null) note(done.position);
    await this.projections.waitFor(position);

    this.metrics.purged.inc(purgedNow.size);
    stopTimer();
    return { batchId, resumed, claimed: ids.length, purged, failed: failures.size, skipped: skipped.size, seconds: (performance.now() - t0) / 1000 };
  }

  /** Appends `InstancePurgeStarted` where needed; returns the instances to purge and those already purged. */
  private async begin(batchId: string, ids: string[], ctx: CommandContext, skipped: Set<string>, note: (p: number) => void) {
    const ready = new Map<string, Tracked>();
    const alreadyPurged = new Map<string, number>();
    let pending = ids;
    for (let round = 1; pending.length > 0 && round <= MAX_ROUNDS; round++) {
      const streams = await this.events.readStreams(pending.map(instanceStream));
      const decisions = pending.map((id) => {
        const recorded = streams.get(instanceStream(id))!;
        const state = fold(instanceDecider, recorded as unknown as InstanceEvent[]);
        return { id, recorded, state };
      });
      const appends: { id: string; state: InstanceState; append: StreamAppend; events: DomainEvent[] }[] = [];
      for (const { id, recorded, state } of decisions) {
        const revision = recorded.length ? recorded[recorded.length - 1].revision : -1;
        if (state.purged) alreadyPurged.set(id, revision);
        else if (!state.id || !state.deleted) skipped.add(id);
        else if (state.purgeStartedBy) ready.set(id, { state, revision });
        else {
          const events = instanceDecider.decide({ type: 'StartPurge', instanceId: id, batchId, now: this.clock.now().toISOString() }, state);
          appends.push({ id, state, events, append: { streamId: instanceStream(id), events: toNewEvents(events, ctx, `${batchId}:started:${id}`), expectedRevision: revision } });
        }
      }
      const outcomes = appends.length ? await this.events.appendMany(appends.map((a) => a.append)) : [];
      pending = [];
      outcomes.forEach((o, k) => {
        const a = appends[k];
        if (o.ok) {
          note(o.position);
          ready.set(a.id, { state: a.events.reduce((s, e) => instanceDecider.evolve(s, e as InstanceEvent), a.state), revision: o.nextExpectedRevision });
        } else if (o.reason === 'deleted') skipped.add(a.id);
        else pending.push(a.id); // changed meanwhile (a restore won the race): decide again
      });
    }
    for (const id of pending) skipped.add(id);
    return { ready, alreadyPurged };
  }

  private async appendPurged(
    batchId: string,
    ids: string[],
    ready: Map<string, Tracked>,
    ctx: CommandContext,
    failures: Map<string, unknown>,
    note: (p: number) => void,
  ): Promise<Map<string, number>> {
    const purged = new Map<string, number>();
    const now = this.clock.now().toISOString();
    const restoredByOperation = await this.restoredCounts(ids.map((id) => ready.get(id)!.state));
    const appends = ids.map((id) => {
      const { state, revision } = ready.get(id)!;
      const command: InstanceCommand = {
        type: 'Purge',
        instanceId: id,
        batchId,
        blobsDeleted: Object.keys(state.blobs).length,
        bookmarksDeleted: Object.values(state.bookmarks).filter((b) => !b.resumed).length,
        restoredByOperation,
        now,
      };
      const events = instanceDecider.decide(command, state);
      return { streamId: instanceStream(id), events: toNewEvents(events, ctx, `${batchId}:purged:${id}`), expectedRevision: revision };
    });
    const outcomes = appends.length ? await this.events.appendMany(appends) : [];
    outcomes.forEach((o, k) => {
      if (o.ok) {
        note(o.position);
        purged.set(ids[k], o.nextExpectedRevision);
      } else failures.set(ids[k], new Error(`instance stream changed during the purge (${o.reason})`));
    });
    return purged;
  }

  /**
   * The `restored` counts of operations that restored any of these instances: the restore events
   * go with the purge, so `InstancePurged` carries the counts for a rebuild. Restores are rare; a
   * batch usually has none and reads nothing.
   */
  private async restoredCounts(states: InstanceState[]): Promise<Record<string, number>> {
    const ids = new Set(states.flatMap((s) => restoringOperations(s.history)));
    const counts: Record<string, number> = {};
    for (const id of ids) {
      const op = await this.deletions.getOperation(id);
      if (op) counts[id] = op.restored;
    }
    return counts;
  }

  private async recordFailure(batchId: string, instanceId: string, state: InstanceState, error: unknown, ctx: CommandContext, note: (p: number) => void) {
    const cfg = this.settings.config.purge;
    const doc = await this.instances.get(instanceId);
    const r = await handleCommand(
      this.events,
      hardDeleteBatchStream(batchId),
      purgeBatchDecider,
      {
        type: 'RecordFailure',
        batchId,
        instanceId,
        operationId: state.deleted?.operationId,
        previousAttempts: doc?.purge.attempts ?? 0,
        maxAttempts: cfg.maxAttempts,
        retryBaseMs: cfg.retryBaseMs,
        error: errorText(error),
        now: this.clock.now().toISOString(),
      },
      { ...ctx, causationId: `${batchId}:failed:${instanceId}` },
    );
    if (r.position !== null) note(r.position);
    const event = r.appended[0] as InstancePurgeFailed | undefined;
    if (!event) return;
    this.metrics.failures.inc({ will_retry: String(event.data.willRetry) });
    // Retries are routine (debug); giving up needs a person (one error line per instance).
    this.logger.event(event.data.willRetry ? 'debug' : 'error', 'Purge', event.data.willRetry ? 'purge attempt failed; will retry' : 'purge gave up on instance; it stays soft-deleted', {
      instanceId,
      batchId,
      attempt: event.data.attempt,
      error: errorText(error),
    });
  }
}
