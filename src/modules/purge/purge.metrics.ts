import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Clock } from '../../shared/clock';
import { InstanceReadModel } from '../../shared/read-models/read-model.ports';

/** Prometheus metrics of the purge (and the process), served on /metrics. */
@Injectable()
export class PurgeMetrics {
  readonly registry = new Registry();
  readonly purged = new Counter({ name: 'purge_instances_purged_total', help: 'Instances hard-deleted by the purge', registers: [this.registry] });
  readonly failures = new Counter({
    name: 'purge_instance_failures_total',
    help: 'Failed purge attempts, by whether they will be retried',
    labelNames: ['will_retry'],
    registers: [this.registry],
  });
  readonly batchDuration = new Histogram({
    name: 'purge_batch_duration_seconds',
    help: 'Time to purge one hard-delete batch',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly lastSuccess = new Gauge({
    name: 'purge_last_success_timestamp_seconds',
    help: 'Unix time of the last purge run that ended without error',
    registers: [this.registry],
  });

  constructor(instances: InstanceReadModel, clock: Clock) {
    collectDefaultMetrics({ register: this.registry });
    const backlog = async (key: 'softDeleted' | 'due') => (await instances.purgeBacklog(clock.now().toISOString()))[key];
    new Gauge({
      name: 'purge_backlog_instances',
      help: 'Soft-deleted instances not yet purged',
      registers: [this.registry],
      async collect() {
        this.set(await backlog('softDeleted'));
      },
    });
    new Gauge({
      name: 'purge_due_instances',
      help: 'Soft-deleted instances whose grace period has passed',
      registers: [this.registry],
      async collect() {
        this.set(await backlog('due'));
      },
    });
  }
}
