import { Controller, Get, Header, Res } from '@nestjs/common';
import { Response } from 'express';
import { BlobStore } from '../../shared/blobs/blob-store.port';
import { EventStore } from '../../shared/event-sourcing/event-store.port';
import { Public } from '../../shared/http/auth.guard';
import { ProjectionRunner } from '../../shared/projections/projection-runner';
import { ProjectionStore } from '../../shared/projections/projection-store.port';
import { AppSettings } from '../../shared/settings';
import { PurgeMetrics } from '../purge/purge.metrics';

const probe = async (f: () => Promise<unknown>) => {
  try {
    await Promise.race([f(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000).unref())]);
    return 'up' as const;
  } catch {
    return 'down' as const;
  }
};

@Controller()
export class HealthController {
  constructor(
    private readonly settings: AppSettings,
    private readonly events: EventStore,
    private readonly projectionStore: ProjectionStore,
    private readonly blobs: BlobStore,
    private readonly projections: ProjectionRunner,
    private readonly metrics: PurgeMetrics,
  ) {}

  /** 200 when every store answers, 503 otherwise; says which store is down. No key needed. */
  @Get('health')
  @Public()
  async health(@Res({ passthrough: true }) res: Response) {
    const [events, readModels, blobs] = await Promise.all([
      probe(() => this.events.ping()),
      probe(() => this.projectionStore.ping()),
      probe(() => this.blobs.ping()),
    ]);
    const head = events === 'up' ? await this.events.headPosition().catch(() => null) : null;
    const up = events === 'up' && readModels === 'up' && blobs === 'up';
    res.status(up ? 200 : 503);
    return {
      status: up ? 'ok' : 'degraded',
      storage: this.settings.config.storage,
      stores: {
        events: { kind: this.events.kind, status: events },
        readModels: { kind: this.projectionStore.kind, status: readModels },
        blobs: { kind: this.blobs.kind, status: blobs },
      },
      projections: { active: this.projections.isActive, checkpoint: this.projections.position, head },
    };
  }

  /** Prometheus text format; needs a key (viewer), e.g. `authorization.credentials_file` in Prometheus. */
  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus() {
    return this.metrics.registry.metrics();
  }
}
