import { RecordedEvent } from '../event-sourcing/event';
import { ConcurrencyError } from '../event-sourcing/errors';
import { EventStore, CatchUpSubscription } from '../event-sourcing/event-store.port';
import { Clock } from '../clock';
import { LeaseStore } from '../leases/lease-store.port';
import { JsonLogger } from '../logging/json-logger';
import { Projection } from './projection';
import { CheckpointMove, DocWrite, ProjectionStore } from './projection-store.port';

export interface RunnerOptions {
  owner: string;
  leaseTtlMs: number;
  /** How long a command waits for the read models before answering anyway (and warning). */
  waitTimeoutMs: number;
}

const LEASE = 'projector:read-models';
const POLL_MS = 25;
const MAX_BACKOFF_MS = 30_000;

/** Applies a batch of events to the projections (pure folding; the I/O is the caller's). */
export async function projectBatch(
  store: ProjectionStore,
  projections: Projection[],
  checkpoints: Map<string, number | null>,
  events: RecordedEvent[],
): Promise<{ writes: DocWrite[]; moves: CheckpointMove[] }> {
  const writes: DocWrite[] = [];
  const last = events[events.length - 1].position;
  for (const p of projections) {
    const from = checkpoints.get(p.name) ?? null;
    const relevant: { event: RecordedEvent; keys: string[] }[] = [];
    const ids = new Set<string>();
    for (const event of events) {
      if (from !== null && event.position <= from) continue;
      const keys = p.keysOf(event);
      if (keys.length === 0) continue;
      relevant.push({ event, keys });
      keys.forEach((k) => ids.add(k));
    }
    if (ids.size === 0) continue;
    const stored = await store.getMany(p.collection, [...ids]);
    const current = new Map<string, { doc: any; position: number; dirty: boolean }>();
    for (const id of ids) {
      const s = stored.get(id);
      current.set(id, { doc: s?.doc ?? null, position: s?.position ?? 0, dirty: false });
    }
    for (const { event, keys } of relevant) {
      for (const k of keys) {
        const c = current.get(k)!;
        // Guard: a document already at or past this event has seen it (replay or duplicate).
        if (event.position <= c.position) continue;
        const next = p.evolve(c.doc, event, k);
        if (next === c.doc) continue;
        current.set(k, { doc: next, position: event.position, dirty: true });
      }
    }
    for (const [id, c] of current) if (c.dirty) writes.push({ collection: p.collection, id, position: c.position, doc: c.doc });
  }
  const moves = projections.map((p) => ({ name: p.name, from: checkpoints.get(p.name) ?? null, to: last }));
  return { writes, moves };
}

/**
 * Keeps the read models up to date. One active projector per store (a lease); the others stand
 * by and serve read-your-writes by watching the shared checkpoint.
 */
export class ProjectionRunner {
  private checkpoints = new Map<string, number | null>();
  private subscription: CatchUpSubscription | null = null;
  private lease: { epoch: number } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private waiters = new Set<{ position: number; resolve: () => void }>();
  private poller: NodeJS.Timeout | null = null;
  /** Failures in a row; while > 0 the recovery loop owns resubscribing, not the lease tick. */
  private failures = 0;
  private recovering = false;
  private leaseFailing = false;

  constructor(
    private readonly events: EventStore,
    private readonly store: ProjectionStore,
    readonly projections: Projection[],
    private readonly leases: LeaseStore,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    private readonly options: RunnerOptions,
  ) {}

  /** The lowest checkpoint: every projection has applied every event up to it. */
  get position(): number | null {
    let min: number | null = Number.MAX_SAFE_INTEGER;
    for (const p of this.projections) {
      const c = this.checkpoints.get(p.name) ?? null;
      if (c === null) return null;
      min = Math.min(min, c);
    }
    return min;
  }

  get isActive(): boolean {
    return this.subscription !== null;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(250, Math.floor(this.options.leaseTtlMs / 3)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.poller) clearInterval(this.poller);
    await this.unsubscribe();
    if (this.lease) await this.leases.release(LEASE, this.options.owner, this.lease.epoch).catch(() => undefined);
    this.lease = null;
    for (const w of this.waiters) w.resolve();
    this.waiters.clear();
  }

  /** Take or renew the lease; start or stop projecting accordingly. */
  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const lease = await this.leases.acquire(LEASE, this.options.owner, this.options.leaseTtlMs, this.clock.now());
      if (!lease) {
        if (this.lease) this.logger.event('info', 'Projections', 'projector lease lost; standing by', { epoch: this.lease.epoch });
        this.lease = null;
        await this.unsubscribe();
        return;
      }
      this.lease = { epoch: lease.epoch };
      if (!this.subscription && !this.recovering) await this.subscribe();
    } catch (e) {
      if (!this.leaseFailing) this.logger.event('error', 'Projections', 'projector lease check failed; retrying', { error: String(e) });
      this.leaseFailing = true;
      return;
    }
    if (this.leaseFailing) this.logger.event('info', 'Projections', 'projector lease check works again');
    this.leaseFailing = false;
  }

  private async subscribe(): Promise<void> {
    this.checkpoints = await this.store.loadCheckpoints(this.projections.map((p) => p.name));
    this.subscription = this.events.subscribe(
      this.position,
      (batch) => this.apply(batch),
      (error) => void this.recover(error),
    );
    this.notify();
  }

  private async unsubscribe(): Promise<void> {
    const s = this.subscription;
    this.subscription = null;
    await s?.stop();
  }

  /**
   * Resubscribes from the last committed checkpoint after a failure, waiting 1 s, 2 s, 4 s … up to
   * 30 s while the store stays down. One error line when a failure streak starts, one info line
   * when projecting works again.
   */
  private async recover(error: unknown): Promise<void> {
    this.subscription = null;
    if (this.stopped) return;
    if (error instanceof ConcurrencyError) {
      this.logger.event('info', 'Projections', 'another projector advanced the checkpoint; resuming from it');
    } else {
      if (this.failures === 0) this.logger.event('error', 'Projections', 'projection failed; retrying from the last checkpoint with backoff', { error: String(error) });
      this.failures++;
      this.recovering = true;
      await new Promise((r) => setTimeout(r, Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(this.failures - 1, 5))).unref());
      this.recovering = false;
    }
    if (!this.stopped && this.lease && !this.subscription) await this.subscribe().catch((e) => void this.recover(e));
  }

  private async apply(batch: RecordedEvent[]): Promise<void> {
    const { writes, moves } = await projectBatch(this.store, this.projections, this.checkpoints, batch);
    await this.store.commit(writes, moves);
    if (this.failures > 0) {
      this.logger.event('info', 'Projections', 'projections recovered', { afterFailures: this.failures });
      this.failures = 0;
    }
    for (const m of moves) this.checkpoints.set(m.name, m.to);
    this.notify();
  }

  private notify() {
    const pos = this.position;
    for (const w of this.waiters) {
      if (pos !== null && pos >= w.position) {
        w.resolve();
        this.waiters.delete(w);
      }
    }
  }

  /**
   * Read-your-writes: resolves once every projection has applied the event at `position`. On a
   * standby replica it watches the shared checkpoints. Gives up after the configured timeout
   * with a warning (the projector is stalled, someone should look), never with an error.
   */
  async waitFor(position: number | null): Promise<void> {
    if (position === null || (this.position ?? -1) >= position) return;
    await new Promise<void>((resolve) => {
      const waiter = { position, resolve };
      this.waiters.add(waiter);
      const timeout = setTimeout(() => {
        if (!this.waiters.delete(waiter)) return;
        this.logger.event('warn', 'Projections', 'read models did not catch up in time; answering anyway', {
          position,
          checkpoint: this.position,
        });
        resolve();
      }, this.options.waitTimeoutMs);
      timeout.unref();
      if (!this.isActive) this.pollCheckpoints();
    });
  }

  private pollCheckpoints() {
    if (this.poller) return;
    this.poller = setInterval(async () => {
      if (this.waiters.size === 0 || this.isActive) {
        clearInterval(this.poller!);
        this.poller = null;
        return;
      }
      this.checkpoints = await this.store.loadCheckpoints(this.projections.map((p) => p.name));
      this.notify();
    }, POLL_MS);
  }
}
