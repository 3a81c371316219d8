import { MongoServerError } from 'mongodb';
import {
  GenerationLayout,
  MONGO_COLLECTIONS,
  MongoConnection,
  READ_MODELS_META_ID,
  generationCollection,
  parseGenerationCollection,
} from '../../mongo/mongo-connection';
import { ProjectionGenerations, ProjectionRef } from '../projection-store.port';

const DUPLICATE_KEY = 11000;

/** A guarded upsert whose filter missed an existing `_id` collides on it: the write was already applied. */
export function isDuplicateKey(e: unknown): boolean {
  return e instanceof MongoServerError && e.code === DUPLICATE_KEY;
}

const projectionPath = (name: string) => `projections.${name}`;

/**
 * Beginning, switching and dropping the generations of projections on MongoDB. Every projection's
 * generations are fields of the one alias document, so a switch of several projections is one
 * atomic update. One rebuild of a projection at a time: `begin` claims a projection's generation
 * with a compare-and-set, but two processes rebuilding the same projection would fill the same
 * generation, and one of them fails on its checkpoint compare-and-set.
 */
export class MongoGenerationLifecycle {
  constructor(private readonly conn: MongoConnection) {}

  async generations(projections: ProjectionRef[]): Promise<Map<string, ProjectionGenerations>> {
    const layout = await this.conn.readLayout();
    return new Map(projections.map((p) => [p.name, { active: layout.of(p).active, building: layout.of(p).building }]));
  }

  async begin(projections: ProjectionRef[]): Promise<Map<string, number>> {
    await this.conn.meta.updateOne({ _id: READ_MODELS_META_ID }, { $setOnInsert: { active: 0, building: null } }, { upsert: true });
    await this.dropLegacyBuilding();
    const out = new Map<string, number>();
    let fresh: number | null = null;
    for (const p of projections) {
      for (;;) {
        const entry = (await this.conn.readLayout()).of(p);
        if (entry.building !== null) {
          await this.conn.ensureIndexes(entry.building, [p.collection]); // the interrupted call may not have got this far
          out.set(p.name, entry.building);
          break;
        }
        // Numbers above every collection in the database: a new generation cannot meet leftovers.
        fresh ??= await this.nextGeneration();
        await this.conn.ensureIndexes(fresh, [p.collection]);
        // Compare-and-set: only the caller that saw no generation being built claims one.
        const r = await this.conn.meta.updateOne(
          { _id: READ_MODELS_META_ID, [`${projectionPath(p.name)}.building`]: null },
          { $set: { [projectionPath(p.name)]: { ...entry, building: fresh } } },
        );
        if (r.matchedCount === 1) {
          out.set(p.name, fresh);
          break;
        }
      }
    }
    return out;
  }

  /**
   * One update of the alias document switches every named projection; the clean-up after it is
   * idempotent (a repeated call after a crash in between keeps the recorded `previous`).
   */
  async activate(generation: number, projections: ProjectionRef[]): Promise<void> {
    const layout = await this.conn.readLayout();
    const entries = projections.map((p) => ({ p, e: layout.of(p) }));
    for (const { p, e } of entries) {
      if (![e.active, e.previous, e.building].includes(generation))
        throw new Error(`generation ${generation} of projection ${p.name} was never built or has been dropped`);
    }
    const next = entries.map(({ p, e }) => ({
      p,
      e: {
        collection: p.collection,
        active: generation,
        previous: e.active === generation ? e.previous : e.active,
        building: e.building === generation ? null : e.building,
      },
    }));
    await this.conn.meta.updateOne(
      { _id: READ_MODELS_META_ID },
      { $set: Object.fromEntries(next.map(({ p, e }) => [projectionPath(p.name), e])) },
      { upsert: true },
    );
    this.conn.generationActivated();
    const collections = await this.collections();
    for (const { p, e } of next) {
      const keepFrom = Math.min(e.previous ?? generation, generation - 1);
      for (const c of collections) {
        if (c.generation >= keepFrom || c.generation === e.building) continue;
        if (c.base === p.collection) await this.conn.db.collection(c.name).drop();
        if (c.base === MONGO_COLLECTIONS.tombstones) await this.conn.db.collection<{ _id: string }>(c.name).deleteMany({ _id: { $regex: `^${escapeRegex(p.collection)}:` } });
        if (c.base === MONGO_COLLECTIONS.checkpoints) await this.conn.db.collection<{ _id: string }>(c.name).deleteOne({ _id: p.name });
      }
    }
    await this.dropUnusedGenerations(await this.conn.readLayout());
  }

  private async collections() {
    const names = await this.conn.db.listCollections({}, { nameOnly: true }).toArray();
    return names.flatMap((c) => {
      const parsed = parseGenerationCollection(c.name);
      return parsed ? [{ name: c.name, ...parsed }] : [];
    });
  }

  private async nextGeneration(): Promise<number> {
    const layout = await this.conn.readLayout();
    const entries = Object.values(layout.projections);
    const used = [layout.meta.active, layout.meta.building ?? 0, ...entries.flatMap((e) => [e.active, e.previous ?? 0, e.building ?? 0])];
    return Math.max(0, ...used, ...(await this.collections()).map((c) => c.generation)) + 1;
  }

  /** Drops the checkpoints and tombstones collections of generations no projection uses any more. */
  private async dropUnusedGenerations(layout: GenerationLayout) {
    const inUse = new Set([layout.meta.active, ...Object.values(layout.projections).flatMap((e) => [e.active, e.previous, e.building])]);
    const collections = await this.collections();
    const holdsDocs = new Set(collections.filter((c) => c.base !== MONGO_COLLECTIONS.checkpoints && c.base !== MONGO_COLLECTIONS.tombstones).map((c) => c.generation));
    for (const c of collections) if (!inUse.has(c.generation) && !holdsDocs.has(c.generation)) await this.conn.db.collection(c.name).drop();
  }

  /** A rebuild interrupted before generations were per projection (`building` of the document) starts over. */
  private async dropLegacyBuilding() {
    const layout = await this.conn.readLayout();
    const b = layout.meta.building;
    if (b === null) return;
    const inUse = Object.values(layout.projections).some((e) => [e.active, e.previous, e.building].includes(b));
    if (!inUse && b !== layout.meta.active) {
      for (const c of await this.collections()) if (c.generation === b) await this.conn.db.collection(generationCollection(c.base, b)).drop();
    }
    await this.conn.meta.updateOne({ _id: READ_MODELS_META_ID }, { $set: { building: null } });
  }
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
