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
  /** The generation the projections were built into (the highest, if they resumed different ones). */
  generation: number;
  /** The projections rebuilt, by name. */
  projections: string[];
  /** True when an interrupted rebuild was resumed. */
  resumed: boolean;
  /** False when stopped (Ctrl-C) before the switch: run again to resume. */
  activated: boolean;
  events: number;
  seconds: number;
}

const BATCH = 5000;

/** Projections being built into one generation, with their checkpoints there. */
interface Target {
  generation: number;
  store: ProjectionStore;
  projections: Projection[];
  checkpoints: Map<string, number | null>;
}

/**
 * Blue/green rebuild of some or all projections: replays the log into a new generation of each
 * (beside the active one, which the service keeps answering from), then switches readers of those
 * projections only. A projection's checkpoint in its new generation makes the rebuild resumable
 * after Ctrl-C or a crash: the next run with it resumes that generation. Events appended after the
 * switch reach the new generation through the live projector, whose next commit against the old
 * generation's checkpoint fails and makes it resume from the new one.
 */
export async function rebuildProjections(
  events: EventStore,
  store: ProjectionStore,
  projections: Projection[],
  options: { onProgress?: (p: RebuildProgress) => void; signal?: AbortSignal; batchSize?: number } = {},
): Promise<RebuildResult> {
  const started = Date.now();
  let applied = 0;
  const resumed = [...(await store.generations(projections)).values()].some((g) => g.building !== null);
  const targets = await targetsOf(store, projections, await store.beginGeneration(projections));
  const generation = Math.max(...targets.map((t) => t.generation));
  const result = (activated: boolean) => ({
    generation,
    projections: projections.map((p) => p.name),
    resumed,
    activated,
    events: applied,
    seconds: (Date.now() - started) / 1000,
  });
  const positions = targets.flatMap((t) => [...t.checkpoints.values()]);
  let after = positions.includes(null) ? null : Math.min(...(positions as number[]));
  const head = (await events.headPosition()) ?? 0;
  options.onProgress?.({ events: 0, position: after ?? 0, head: Math.max(head, after ?? 0) });
  for (;;) {
    // A turn of the event loop per batch, so Ctrl-C (a signal handler) is heard on the embedded store too.
    await new Promise((r) => setImmediate(r));
    if (options.signal?.aborted) return result(false);
    const batch = await events.readAll(after, options.batchSize ?? BATCH);
    if (batch.length === 0) break;
    const last = batch[batch.length - 1].position;
    for (const t of targets) {
      // A projection already past this batch (resumed further than the others) sits it out.
      const behind = t.projections.filter((p) => (t.checkpoints.get(p.name) ?? -1) < last);
      if (behind.length === 0) continue;
      const { writes, moves } = await projectBatch(t.store, behind, t.checkpoints, batch);
      await t.store.commit(writes, moves);
      for (const m of moves) t.checkpoints.set(m.name, m.to);
    }
    after = last;
    applied += batch.length;
    options.onProgress?.({ events: applied, position: after, head: Math.max(head, after) });
  }
  for (const t of targets) await store.activateGeneration(t.generation, t.projections);
  return result(true);
}

async function targetsOf(store: ProjectionStore, projections: Projection[], plan: Map<string, number>): Promise<Target[]> {
  const targets = new Map<number, Target>();
  for (const p of projections) {
    const g = plan.get(p.name)!;
    const t = targets.get(g) ?? { generation: g, store: store.forGeneration(g), projections: [] as Projection[], checkpoints: new Map() };
    t.projections.push(p);
    targets.set(g, t);
  }
  for (const t of targets.values()) t.checkpoints = await t.store.loadCheckpoints(t.projections.map((p) => p.name));
  return [...targets.values()];
}
