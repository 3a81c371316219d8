import { Injectable } from '@nestjs/common';
import { fold } from '../../../shared/event-sourcing/decider';
import { CommandContext } from '../../../shared/event-sourcing/event';
import { EventStore, StreamAppend } from '../../../shared/event-sourcing/event-store.port';
import { toNewEvents } from '../../../shared/event-sourcing/handle-command';
import { instanceStream } from '../../../shared/event-sourcing/streams';
import { instanceDecider } from '../../instances/domain/instance.decider';
import { InstanceEvent } from '../../instances/domain/instance.events';

export interface SoftDeleteRequest {
  operationId: string;
  by: string;
  reason?: string;
  now: string;
  purgeAfter: string;
}

export interface SoftDeleteOutcome {
  softDeleted: number;
  alreadyDeleted: number;
  notFound: number;
  /** Position of the last event appended, or null when nothing was appended. */
  position: number | null;
}

const CHUNK = 1000;
const MAX_ROUNDS = 5;
const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Soft-deletes many instances: per chunk, read their streams in one go, decide per instance,
 * append all `WorkflowInstanceSoftDeleted` events with each stream's expected revision. A stream
 * that moved meanwhile (another request, another replica) is re-read and decided again, so an
 * instance gets exactly one event however many requests race. Event ids derive from the
 * operation and instance: a retried operation re-appends nothing.
 */
@Injectable()
export class SoftDeleter {
  constructor(private readonly events: EventStore) {}

  async run(ids: readonly string[], req: SoftDeleteRequest, ctx: CommandContext): Promise<SoftDeleteOutcome> {
    const out: SoftDeleteOutcome = { softDeleted: 0, alreadyDeleted: 0, notFound: 0, position: null };
    for (let i = 0; i < ids.length; i += CHUNK) {
      let pending = ids.slice(i, i + CHUNK);
      for (let round = 1; pending.length > 0; round++) {
        pending = await this.round(pending, req, ctx, out, round === MAX_ROUNDS);
      }
      // Let reads and other requests run between chunks of a large selection.
      await yieldToEventLoop();
    }
    return out;
  }

  /** One read-decide-append pass; returns the ids whose streams moved meanwhile. */
  private async round(ids: string[], req: SoftDeleteRequest, ctx: CommandContext, out: SoftDeleteOutcome, last: boolean): Promise<string[]> {
    const streams = await this.events.readStreams(ids.map(instanceStream));
    const appends: { id: string; append: StreamAppend }[] = [];
    for (const id of ids) {
      const recorded = streams.get(instanceStream(id))!;
      const state = fold(instanceDecider, recorded as unknown as InstanceEvent[]);
      if (!state.id || state.purged) out.notFound++;
      else if (state.deleted) state.deleted.operationId === req.operationId ? out.softDeleted++ : out.alreadyDeleted++;
      else {
        const events = instanceDecider.decide({ type: 'SoftDelete', instanceId: id, operationId: req.operationId, by: req.by, reason: req.reason, now: req.now, purgeAfter: req.purgeAfter }, state);
        const expectedRevision = recorded[recorded.length - 1].revision;
        appends.push({
          id,
          append: { streamId: instanceStream(id), events: toNewEvents(events, ctx, `${req.operationId}:${id}:${expectedRevision}`), expectedRevision },
        });
      }
    }
    if (appends.length === 0) return [];
    const outcomes = await this.events.appendMany(appends.map((a) => a.append));
    const moved: string[] = [];
    outcomes.forEach((o, k) => {
      if (o.ok) {
        out.softDeleted++;
        out.position = Math.max(out.position ?? 0, o.position);
      } else if (o.reason === 'deleted') out.notFound++;
      else if (last) throw new Error(`instance ${appends[k].id} kept changing while being deleted`);
      else moved.push(appends[k].id);
    });
    return moved;
  }
}
