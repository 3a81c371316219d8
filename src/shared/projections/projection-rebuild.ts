import { EventStore } from '../event-sourcing/event-store.port';
import { Projection } from './projection';
import { projectBatch } from './projection-runner';
import { ProjectionStore } from './projection-store.port';

export interface RebuildProgress {
  /** Events applied so far in this run. */
  events: number;
  /** Position reached, and the head of the log when the run started. */
  position: number;
  head: number;
}

export interface RebuildResult {
  generation: number;
  /** True when an interrupted rebuild was resumed. */
  resumed: boolean;
  /** False when stopped (Ctrl-C) before the switch: run again to resume. */
  activated: boolean;
  events: number;
  seconds: number;
}

const BATCH = 5000;

/**
 * Blue/green rebuild: replays the whole log into a new generation of read models beside the
 * active one (the service keeps answering from it), then switches readers over in one write. The
 * new generation's checkpoints make it resumable after Ctrl-C or a crash. Events appended after
 * the switch reach the new generation through the live projector, whose next commit against the
 * old generation's checkpoint fails and makes it resume from the new one.
 */
export async function rebuildProjections(
  events: EventStore,
  store: ProjectionStore,
  projections: Projection[],
  options: { onProgress?: (p: RebuildProgress) => void; signal?: AbortSignal; batchSize?: number } = {},
): Promise<RebuildResult> {
  const started = Date.now();
  const resumed = (await store.generations()).building !== null;
  const generation = await store.beginGeneration();
  const target = store.forGeneration(generation);
  const names = projections.map((p) => p.name);
  let checkpoints = await target.loadCheckpoints(names);
  let after: number | null = null;
  for (const c of checkpoints.values()) {
    if (c === null) {
      after = null;
      break;
    }
    after = after === null ? c : Math.min(after, c);
  }
  const head = (await events.headPosition()) ?? 0;
  let applied = 0;
  for (;;) {
    if (options.signal?.aborted) return { generation, resumed, activated: false, events: applied, seconds: (Date.now() - started) / 1000 };
    const batch = await events.readAll(after, options.batchSize ?? BATCH);
    if (batch.length === 0) break;
    const { writes, moves } = await projectBatch(target, projections, checkpoints, batch);
    await target.commit(writes, moves);
    checkpoints = new Map(moves.map((m) => [m.name, m.to]));
    after = batch[batch.length - 1].position;
    applied += batch.length;
    options.onProgress?.({ events: applied, position: after, head: Math.max(head, after) });
  }
  await store.activateGeneration(generation);
  return { generation, resumed, activated: true, events: applied, seconds: (Date.now() - started) / 1000 };
}
