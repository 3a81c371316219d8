import { Injectable } from '@nestjs/common';
import { fold } from '../../../shared/event-sourcing/decider';
import { CommandContext } from '../../../shared/event-sourcing/event';
import { EventStore, StreamAppend } from '../../../shared/event-sourcing/event-store.port';
import { toNewEvents } from '../../../shared/event-sourcing/handle-command';
import { instanceStream } from '../../../shared/event-sourcing/streams';
import { InstanceState, instanceDecider } from '../../instances/domain/instance.decider';
import { InstanceDoc } from '../../../shared/read-models/documents';
import { InstanceReadModel } from '../../../shared/read-models/read-model.ports';
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
  constructor(
    private readonly events: EventStore,
    private readonly instances: InstanceReadModel,
  ) {}

  async run(ids: readonly string[], req: SoftDeleteRequest, ctx: CommandContext): Promise<SoftDeleteOutcome> {
    const out: SoftDeleteOutcome = { softDeleted: 0, alreadyDeleted: 0, notFound: 0, position: null };
    for (let i = 0; i < ids.length; i += CHUNK) {
      let pending = ids.slice(i, i + CHUNK);
      for (let round = 1; pending.length > 0; round++) pending = await this.round(pending, req, ctx, out, round);
      // Let reads and other requests run between chunks of a large selection.
      await yieldToEventLoop();
    }
    return out;
  }

  /** One read-decide-append pass; returns the ids whose streams moved meanwhile. */
  private async round(ids: string[], req: SoftDeleteRequest, ctx: CommandContext, out: SoftDeleteOutcome, round: number): Promise<string[]> {
    const states = round === 1 ? await this.fromReadModel(ids) : await this.fromStreams(ids);
    const appends: { id: string; append: StreamAppend }[] = [];
    for (const id of ids) {
      const { state, revision } = states.get(id)!;
      if (!state.id || state.purged) out.notFound++;
      else if (state.deleted) state.deleted.operationId === req.operationId ? out.softDeleted++ : out.alreadyDeleted++;
      else {
        const events = instanceDecider.decide({ type: 'SoftDelete', instanceId: id, operationId: req.operationId, by: req.by, reason: req.reason, now: req.now, purgeAfter: req.purgeAfter }, state);
        appends.push({
          id,
          append: { streamId: instanceStream(id), events: toNewEvents(events, ctx, `${req.operationId}:${id}:${revision}`), expectedRevision: revision },
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
      else if (round >= MAX_ROUNDS) throw new Error(`instance ${appends[k].id} kept changing while being deleted`);
      else moved.push(appends[k].id);
    });
    return moved;
  }

  private async fromStreams(ids: string[]): Promise<Map<string, Decidable>> {
    const streams = await this.events.readStreams(ids.map(instanceStream));
    return new Map(
      ids.map((id) => {
        const recorded = streams.get(instanceStream(id))!;
        return [id, { state: fold(instanceDecider, recorded as unknown as InstanceEvent[]), revision: recorded.length ? recorded[recorded.length - 1].revision : -1 }];
      }),
    );
  }

  /**
   * The first pass decides on the read model instead of folding every stream: a document holds
   * all a soft delete decides on (exists, deleted, by which operation) as of its stream revision,
   * and the append expects exactly that revision. A stale document makes the append conflict and
   * the instance is decided again from its stream; instances without a document (unknown, purged)
   * are read from their streams at once.
   */
  private async fromReadModel(ids: string[]): Promise<Map<string, Decidable>> {
    const docs = await this.instances.getMany(ids);
    const missing = ids.filter((id) => !docs.has(id));
    const result = missing.length ? await this.fromStreams(missing) : new Map<string, Decidable>();
    for (const [id, doc] of docs) result.set(id, { state: stateOf(doc), revision: doc.revision });
    return result;
  }
}

interface Decidable {
  state: InstanceState;
  revision: number;
}

/** The part of an instance's state a soft delete decides on, from its read-model document. */
function stateOf(doc: InstanceDoc): InstanceState {
  return {
    ...instanceDecider.initialState,
    id: doc.id,
    definitionId: doc.definitionId,
    status: doc.status,
    deleted: doc.isDeleted
      ? { operationId: doc.deletionOperationId!, deletedAt: doc.deletedAt!, deletedBy: doc.deletedBy!, purgeAfter: doc.purgeAfter! }
      : null,
  };
}
