import { createHash, randomUUID } from 'node:crypto';
import { Decider } from './decider';
import { CommandContext, DomainEvent, NewEvent, RecordedEvent } from './event';
import { ConcurrencyError } from './errors';
import { EventStore, ExpectedRevision } from './event-store.port';

export const SCHEMA_VERSION = 1;
const MAX_ATTEMPTS = 5;

/** Wraps decided events for appending, with metadata and ids derived from the causation id. */
export function toNewEvents(events: DomainEvent[], ctx: CommandContext, idSeed = ctx.causationId): NewEvent[] {
  return events.map((e, i) => ({
    id: eventId(idSeed, i),
    type: e.type,
    data: e.data,
    metadata: { $correlationId: ctx.correlationId, $causationId: ctx.causationId, actor: ctx.actor, schemaVersion: SCHEMA_VERSION },
  }));
}

/**
 * A deterministic UUID-shaped id from a seed and an index, so a retried command produces the
 * same event ids and the store recognises the retry.
 */
export function eventId(seed: string, index: number): string {
  const h = createHash('sha256').update(`${seed}#${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const newId = () => randomUUID();

export function expectedRevisionOf(events: RecordedEvent[]): ExpectedRevision {
  return events.length === 0 ? 'no_stream' : events[events.length - 1].revision;
}

export interface HandledCommand<State> {
  state: State;
  appended: DomainEvent[];
  position: number | null;
}

/**
 * Read stream → fold → decide → append with the expected revision; on a concurrency conflict
 * re-read and decide again (the decider then sees the other writer's events).
 */
export async function handleCommand<C, S, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<C, S, E>,
  command: C,
  ctx: CommandContext,
): Promise<HandledCommand<S>> {
  for (let attempt = 1; ; attempt++) {
    const recorded = await store.readStream(streamId);
    const state = recorded.reduce((s, e) => decider.evolve(s, e as unknown as E), decider.initialState);
    const events = decider.decide(command, state);
    if (events.length === 0) return { state, appended: [], position: null };
    try {
      const expected = expectedRevisionOf(recorded);
      // Ids unique per request, stream and revision: one request may write several commands.
      const result = await store.append(streamId, toNewEvents(events, ctx, `${ctx.causationId}:${streamId}:${expected}`), expected);
      return { state: events.reduce(decider.evolve, state), appended: events, position: result.position };
    } catch (e) {
      if (!(e instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}
