import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { BlobStore } from '../../shared/blobs/blob-store.port';
import { Clock } from '../../shared/clock';
import { mapLimit } from '../../shared/concurrency';
import { CommandContext, DomainEvent } from '../../shared/event-sourcing/event';
import { EventStore, StreamAppend } from '../../shared/event-sourcing/event-store.port';
import { toNewEvents } from '../../shared/event-sourcing/handle-command';
import { definitionStream, instanceStream } from '../../shared/event-sourcing/streams';
import { ProjectionRunner } from '../../shared/projections/projection-runner';
import { definitionDecider } from '../definitions/domain/definition.decider';
import { instanceDecider, InstanceState } from '../instances/domain/instance.decider';
import { InstanceEvent } from '../instances/domain/instance.events';

export interface SeedOptions {
  definitions: number;
  instances: number;
  blobsPerInstance: number;
  bookmarksPerInstance: number;
  /** Prefix of every generated id, so several seeds can share a store. */
  prefix?: string;
  onProgress?: (done: number, total: number) => void;
}

const CHUNK = 1000;
const NAMES = ['Order fulfilment', 'Invoice approval', 'Customer onboarding', 'Refund', 'Shipment tracking', 'Contract renewal'];
const STATUS_ROLL: ('Running' | 'Completed' | 'Faulted' | 'Cancelled')[] = ['Running', 'Running', 'Completed', 'Completed', 'Completed', 'Faulted', 'Cancelled'];

/**
 * Realistic demo data through the real write path: events decided by the deciders and appended
 * in batches, blobs written to the blob store, read models projected. Deterministic for a prefix.
 */
@Injectable()
export class DemoSeeder {
  constructor(
    private readonly events: EventStore,
    private readonly blobs: BlobStore,
    private readonly projections: ProjectionRunner,
    private readonly clock: Clock,
  ) {}

  async seed(o: SeedOptions): Promise<{ definitions: string[]; instances: number; events: number; blobs: number }> {
    const prefix = o.prefix ?? 'demo';
    const ctx: CommandContext = { actor: 'system:demo', correlationId: `${prefix}-seed`, causationId: `${prefix}-seed` };
    const base = this.clock.now().getTime() - o.instances * 1000;
    const definitions = Array.from({ length: Math.max(1, o.definitions) }, (_, i) => `${prefix}-def-${i + 1}`);
    let position: number | null = null;
    let eventCount = 0;
    const defAppends: StreamAppend[] = definitions.map((id, i) => ({
      streamId: definitionStream(id),
      expectedRevision: 'no_stream',
      events: toNewEvents(definitionDecider.decide({ type: 'CreateDefinition', definitionId: id, name: NAMES[i % NAMES.length], now: new Date(base).toISOString() }, definitionDecider.initialState), ctx, `${prefix}:${id}`),
    }));
    for (const r of await this.events.appendMany(defAppends)) if (r.ok) position = r.position;
    let blobCount = 0;
    for (let start = 0; start < o.instances; start += CHUNK) {
      const appends: StreamAppend[] = [];
      const blobJobs: { id: string; name: string; content: Buffer }[] = [];
      for (let i = start; i < Math.min(o.instances, start + CHUNK); i++) {
        const id = `${prefix}-${String(i).padStart(7, '0')}`;
        const at = (k: number) => new Date(base + i * 1000 + k * 10).toISOString();
        const events = this.instanceEvents(id, definitions[i % definitions.length], i, o, at);
        for (let b = 0; b < o.blobsPerInstance; b++) blobJobs.push({ id, name: `blob-${b}.json`, content: Buffer.from(JSON.stringify({ instance: id, part: b, payload: 'x'.repeat(256) })) });
        eventCount += events.length;
        appends.push({ streamId: instanceStream(id), expectedRevision: 'no_stream', events: toNewEvents(events, ctx, `${prefix}:${id}`) });
      }
      // Bytes first, then the events that point at them (the service's own order).
      await mapLimit(blobJobs, 16, (j) => this.blobs.put(j.id, j.name, j.content, 'application/json'));
      blobCount += blobJobs.length;
      for (const r of await this.events.appendMany(appends)) if (r.ok) position = Math.max(position ?? 0, r.position);
      o.onProgress?.(Math.min(o.instances, start + CHUNK), o.instances);
    }
    await this.projections.waitFor(position);
    return { definitions, instances: o.instances, events: eventCount + definitions.length, blobs: blobCount };
  }

  private instanceEvents(id: string, definitionId: string, i: number, o: SeedOptions, at: (k: number) => string): DomainEvent[] {
    const out: DomainEvent[] = [];
    let state: InstanceState = instanceDecider.initialState;
    const step = (command: Parameters<typeof instanceDecider.decide>[0]) => {
      const events = instanceDecider.decide(command, state);
      state = events.reduce((s, e) => instanceDecider.evolve(s, e as InstanceEvent), state);
      out.push(...events);
    };
    step({ type: 'CreateInstance', instanceId: id, definitionId, name: `${NAMES[i % NAMES.length]} #${i}`, correlationId: `cust-${i % 997}`, definitionLive: true, now: at(0) });
    for (let b = 0; b < o.blobsPerInstance; b++) {
      const content = JSON.stringify({ instance: id, part: b, payload: 'x'.repeat(256) });
      step({ type: 'AttachBlob', instanceId: id, name: `blob-${b}.json`, size: Buffer.byteLength(content), contentType: 'application/json', sha256: createHash('sha256').update(content).digest('hex'), now: at(1 + b) });
    }
    for (let b = 0; b < o.bookmarksPerInstance; b++) {
      step({ type: 'CreateBookmark', instanceId: id, bookmarkId: `${id}-bm-${b}`, name: `approval-${b}`, now: at(10 + b) });
    }
    // Instances with bookmarks stay suspended (waiting); others finish in a realistic mix.
    if (o.bookmarksPerInstance === 0) {
      const status = STATUS_ROLL[i % STATUS_ROLL.length];
      if (status === 'Completed') step({ type: 'Complete', instanceId: id, now: at(20) });
      if (status === 'Faulted') step({ type: 'Fault', instanceId: id, error: 'timeout calling payment service', now: at(20) });
      if (status === 'Cancelled') step({ type: 'Cancel', instanceId: id, now: at(20) });
    }
    return out;
  }
}
