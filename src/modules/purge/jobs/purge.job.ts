import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { JsonLogger } from '../../../shared/logging/json-logger';
import { AppSettings } from '../../../shared/settings';
import { PurgeService } from '../purge.service';

const JOB = 'purge';

/**
 * Runs the purge every `PURGE_INTERVAL_MS` when `PURGE_ENABLED`. Runs never overlap in a process;
 * across replicas the purge lease decides. A run that finds nothing logs nothing.
 */
@Injectable()
export class PurgeJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running: Promise<void> | null = null;
  private readonly stopping = new AbortController();
  private failing = false;

  constructor(
    private readonly purge: PurgeService,
    private readonly scheduler: SchedulerRegistry,
    private readonly settings: AppSettings,
    private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap() {
    const cfg = this.settings.config.purge;
    if (!cfg.enabled) return;
    this.scheduler.addInterval(JOB, setInterval(() => this.tick(), cfg.intervalMs));
  }

  /**
   * Shutdown, before any store closes: no new run; the run in progress finishes its current batch
   * and releases the lease. Bounded by `SHUTDOWN_TIMEOUT_MS`; a batch cut off by the exit is an
   * open batch the next run resumes.
   */
  async beforeApplicationShutdown() {
    if (this.scheduler.doesExist('interval', JOB)) this.scheduler.deleteInterval(JOB);
    this.stopping.abort();
    if (!this.running) return;
    const timeoutMs = this.settings.config.shutdownTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      this.running.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!finished) this.logger.event('warn', 'Purge', 'purge batch still running at shutdown; the next start resumes it', { timeoutMs });
  }

  private tick() {
    if (this.running || this.stopping.signal.aborted) return;
    this.running = this.run().finally(() => (this.running = null));
  }

  private async run() {
    try {
      const report = await this.purge.runOnce({ signal: this.stopping.signal });
      if (this.failing) this.logger.event('info', 'Purge', 'purge runs succeed again');
      this.failing = false;
      if (report.batches.length > 0)
        this.logger.event('info', 'Purge', 'purge run finished', { batches: report.batches.length, purged: report.purged, failed: report.failed });
    } catch (e) {
      // One error line per failure streak, not one per interval.
      if (!this.failing) this.logger.event('error', 'Purge', 'purge run failed; will retry on the next interval', { error: e instanceof Error ? e.message : String(e) });
      this.failing = true;
    }
  }
}
