import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { Clock } from '../../shared/clock';
import { ConcurrencyError, ConflictError, ValidationError } from '../../shared/event-sourcing/errors';
import { EventStore } from '../../shared/event-sourcing/event-store.port';
import { JsonLogger } from '../../shared/logging/json-logger';
import { rebuildProjections } from '../../shared/projections/projection-rebuild';
import { ProjectionRunner } from '../../shared/projections/projection-runner';
import { ProjectionStore } from '../../shared/projections/projection-store.port';

export type RebuildState = 'Running' | 'Completed' | 'Interrupted' | 'Failed';

export interface RebuildJobView {
  state: RebuildState;
  /** The one projection rebuilt, or null for all of them. */
  projection: string | null;
  startedAt: string;
  finishedAt: string | null;
  requestedBy: string;
  generation: number | null;
  resumed: boolean;
  /** Events applied so far, the position reached and the head of the log when it started. */
  events: number;
  position: number | null;
  head: number | null;
  eventsPerSecond: number;
  error: string | null;
}

/**
 * `projections rebuild` started from the API: one blue/green rebuild at a time in this process,
 * run in the background while the service answers from the active generation. Across replicas the
 * generation's checkpoints decide: a second builder's commit fails and its job says so.
 */
@Injectable()
export class RebuildJob implements BeforeApplicationShutdown {
  private job: RebuildJobView | null = null;
  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly events: EventStore,
    private readonly store: ProjectionStore,
    private readonly runner: ProjectionRunner,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
  ) {}

  get current(): RebuildJobView | null {
    return this.job && { ...this.job };
  }

  /**
   * Starts a rebuild of every projection, or of `projection` alone; returns the one already
   * running when it is the same (`started: false`), refuses another while one runs.
   */
  start(actor: string, projection?: string): { started: boolean; job: RebuildJobView } {
    const names = this.runner.projections.map((p) => p.name);
    if (projection !== undefined && !names.includes(projection))
      throw new ValidationError(`projection must be one of ${names.join(', ')}, got "${projection}"`);
    if (this.job?.state === 'Running') {
      if (this.job.projection === (projection ?? null)) return { started: false, job: { ...this.job } };
      throw new ConflictError(`a rebuild of ${this.job.projection ?? 'every projection'} is running; start this one when it has finished`);
    }
    const started = Date.now();
    const job: RebuildJobView = {
      state: 'Running',
      projection: projection ?? null,
      startedAt: this.clock.now().toISOString(),
      finishedAt: null,
      requestedBy: actor,
      generation: null,
      resumed: false,
      events: 0,
      position: null,
      head: null,
      eventsPerSecond: 0,
      error: null,
    };
    this.job = job;
    this.abort = new AbortController();
    this.logger.event('info', 'Projections', 'projection rebuild started', { requestedBy: actor, projection: job.projection ?? 'all' });
    const targets = projection === undefined ? this.runner.projections : this.runner.projections.filter((p) => p.name === projection);
    this.running = rebuildProjections(this.events, this.store, targets, {
      signal: this.abort.signal,
      onProgress: (p) => {
        job.events = p.events;
        job.position = p.position;
        job.head = p.head;
        job.eventsPerSecond = Math.round(p.events / Math.max(0.001, (Date.now() - started) / 1000));
      },
    }).then(
      (r) => {
        Object.assign(job, { generation: r.generation, resumed: r.resumed, events: r.events, state: r.activated ? 'Completed' : 'Interrupted' });
        job.eventsPerSecond = Math.round(r.events / Math.max(0.001, r.seconds));
        this.finish(job);
        this.logger.event('info', 'Projections', r.activated ? 'projection rebuild finished; readers switched' : 'projection rebuild interrupted; start it again to resume', {
          generation: r.generation,
          events: r.events,
          eventsPerSecond: job.eventsPerSecond,
        });
      },
      (e: unknown) => {
        job.state = 'Failed';
        job.error = e instanceof ConcurrencyError ? 'another rebuild is writing the same generation' : e instanceof Error ? e.message : String(e);
        this.finish(job);
        this.logger.event('error', 'Projections', 'projection rebuild failed; start it again to resume', { error: job.error });
      },
    );
    return { started: true, job: { ...job } };
  }

  private finish(job: RebuildJobView) {
    job.finishedAt = this.clock.now().toISOString();
    this.abort = null;
    this.running = null;
  }

  /** Stops at the next batch; the generation's checkpoints let the next start resume. */
  async beforeApplicationShutdown() {
    this.abort?.abort();
    await this.running;
  }
}
