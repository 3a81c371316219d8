import { AnyBulkWriteOperation, Collection, Document, MongoBulkWriteError, MongoServerError } from 'mongodb';
import { ConcurrencyError } from '../../event-sourcing/errors';
import {
  MONGO_COLLECTIONS,
  MongoConnection,
  READ_MODELS_META_ID,
  generationCollection,
  generationOf,
} from '../../mongo/mongo-connection';
import { ReadDoc } from '../projection';
import { CheckpointMove, DocWrite, ProjectionStore, StoredDoc } from '../projection-store.port';

const DUPLICATE_KEY = 11000;

interface StoredDocument extends Document {
  _id: string;
  _pos: number;
}
interface Tombstone {
  _id: string;
  pos: number;
}
interface Checkpoint {
  _id: string;
  position: number | null;
}

const tombstoneId = (collection: string, id: string) => `${collection}:${id}`;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A guarded upsert whose filter missed an existing `_id` collides on it: the write was already applied. */
function isDuplicateKey(e: unknown): boolean {
  return e instanceof MongoServerError && e.code === DUPLICATE_KEY;
}

async function bulkIgnoringDuplicates<T extends Document>(c: Collection<T>, ops: AnyBulkWriteOperation<T>[]): Promise<void> {
  if (ops.length === 0) return;
  try {
    // Unordered is safe because the caller sends at most one operation per _id (R8).
    // ignoreUndefined: an optional field left undefined is omitted, as JSON does on the embedded
    // store, rather than stored and read back as null.
    await c.bulkWrite(ops, { ordered: false, ignoreUndefined: true });
  } catch (e) {
    if (!(e instanceof MongoBulkWriteError)) throw e;
    const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
    if (e.err || errors.length === 0 || errors.some((w) => w.code !== DUPLICATE_KEY)) throw e;
  }
}

/** The collections of one generation, resolved once per operation so all of it lands in one generation. */
class GenerationCollections {
  constructor(
    private readonly conn: MongoConnection,
    readonly generation: number,
  ) {}

  get tombstones(): Collection<Tombstone> {
    return this.conn.db.collection<Tombstone>(generationCollection(MONGO_COLLECTIONS.tombstones, this.generation));
  }

  get checkpoints(): Collection<Checkpoint> {
    return this.conn.db.collection<Checkpoint>(generationCollection(MONGO_COLLECTIONS.checkpoints, this.generation));
  }

  docs(collection: string): Collection<StoredDocument> {
    return this.conn.db.collection<StoredDocument>(generationCollection(collection, this.generation));
  }
}

/**
 * ProjectionStore on MongoDB. A document is stored as `{ _id: id, _pos: position, ...doc }` in the
 * collection of its projection; a removed document leaves `{ _id: 'collection:id', pos }` in
 * `projection_tombstones`, so a replayed older event cannot bring it back. No transactions: each
 * write is a single-document operation guarded by position (replays and retries change nothing),
 * and checkpoints move last with a compare-and-set.
 *
 * Generations (blue/green rebuilds): generation N > 0 prefixes `g{N}_` to the document, checkpoint
 * and tombstone collections (see `generationPrefix`); `read_model_meta` says which one readers use.
 * Without `fixedGeneration` the store follows the active generation (through the connection's
 * cache, so a switch made by another process reaches it within `ACTIVE_GENERATION_TTL_MS`), so
 * after a switch the live projector's next commit fails its compare-and-set against the new
 * generation's checkpoint and it resumes from there. Each operation resolves the generation once.
 * A commit that resolved the old generation just before a switch still lands there, complete;
 * that generation is kept by the switch and no longer read once readers have followed it.
 *
 * One rebuild at a time (take a lease around it): `beginGeneration` claims a generation with a
 * compare-and-set on the alias document, but its clean-up of an abandoned generation is not fenced
 * against a second, concurrent rebuild that has just claimed the same number.
 */
export class MongoProjectionStore extends ProjectionStore {
  readonly kind = 'mongodb';

  constructor(
    private readonly conn: MongoConnection,
    private readonly fixedGeneration?: number,
  ) {
    super();
  }

  /** The collections this store works on for one operation. */
  private async at(): Promise<GenerationCollections> {
    return new GenerationCollections(this.conn, this.fixedGeneration ?? (await this.conn.activeGeneration()));
  }

  async getMany(collection: string, ids: string[]): Promise<Map<string, StoredDoc>> {
    const result = new Map<string, StoredDoc>();
    if (ids.length === 0) return result;
    const at = await this.at();
    const unique = [...new Set(ids)];
    for (const { _id, _pos, ...doc } of await at.docs(collection).find({ _id: { $in: unique } }).toArray()) {
      result.set(_id, { doc: doc as ReadDoc, position: _pos });
    }
    const missing = unique.filter((id) => !result.has(id));
    if (missing.length > 0) {
      const keys = missing.map((id) => tombstoneId(collection, id));
      for (const t of await at.tombstones.find({ _id: { $in: keys } }).toArray()) {
        result.set(t._id.slice(collection.length + 1), { doc: null, position: t.pos });
      }
    }
    return result;
  }

  async loadCheckpoints(names: string[]): Promise<Map<string, number | null>> {
    return this.checkpointsIn(await this.at(), names);
  }

  private async checkpointsIn(at: GenerationCollections, names: string[]): Promise<Map<string, number | null>> {
    const result = new Map<string, number | null>(names.map((n) => [n, null]));
    if (names.length === 0) return result;
    for (const c of await at.checkpoints.find({ _id: { $in: names } }).toArray()) result.set(c._id, c.position ?? null);
    return result;
  }

  async commit(writes: DocWrite[], checkpoints: CheckpointMove[]): Promise<void> {
    const at = await this.at();
    // Fail before writing anything when another projector already moved a checkpoint; the
    // compare-and-set at the end still decides a race that starts after this read.
    if (checkpoints.length > 0) {
      const current = await this.checkpointsIn(at, checkpoints.map((c) => c.name));
      for (const c of checkpoints) {
        const actual = current.get(c.name) ?? null;
        if (actual !== c.from) throw checkpointMoved(c, actual);
      }
    }
    await this.writeDocs(at, writes);
    for (const c of checkpoints) await this.moveCheckpoint(at, c);
  }

  private async writeDocs(at: GenerationCollections, writes: DocWrite[]): Promise<void> {
    if (writes.length === 0) return;
    // R8: one operation per document; of several writes to one id the highest position wins,
    // which is what applying them in order under the position guard would leave.
    const latest = new Map<string, DocWrite>();
    for (const w of writes) {
      const key = tombstoneId(w.collection, w.id);
      const seen = latest.get(key);
      if (!seen || w.position > seen.position) latest.set(key, w);
    }
    // A document removed at a later position stays removed: without this check a replayed
    // creation event would upsert it again.
    const upsertKeys = [...latest].filter(([, w]) => w.doc !== null).map(([k]) => k);
    const tombstoned = new Map<string, number>();
    if (upsertKeys.length > 0) {
      for (const t of await at.tombstones.find({ _id: { $in: upsertKeys } }).toArray()) tombstoned.set(t._id, t.pos);
    }

    const byCollection = new Map<string, AnyBulkWriteOperation<StoredDocument>[]>();
    const tombstoneOps: AnyBulkWriteOperation<Tombstone>[] = [];
    for (const [key, w] of latest) {
      const ops = byCollection.get(w.collection) ?? [];
      byCollection.set(w.collection, ops);
      if (w.doc === null) {
        ops.push({ deleteOne: { filter: { _id: w.id, _pos: { $lt: w.position } } } });
        tombstoneOps.push({
          updateOne: { filter: { _id: key, pos: { $lt: w.position } }, update: { $set: { pos: w.position } }, upsert: true },
        });
      } else if ((tombstoned.get(key) ?? -Infinity) < w.position) {
        ops.push({
          replaceOne: {
            filter: { _id: w.id, _pos: { $lt: w.position } },
            replacement: { _id: w.id, _pos: w.position, ...w.doc },
            upsert: true,
          },
        });
      }
    }
    await Promise.all([
      ...[...byCollection].map(([collection, ops]) => bulkIgnoringDuplicates(at.docs(collection), ops)),
      bulkIgnoringDuplicates(at.tombstones, tombstoneOps),
    ]);
  }

  private async moveCheckpoint(at: GenerationCollections, c: CheckpointMove): Promise<void> {
    if (c.from === null) {
      // `position: null` also matches a missing field; an existing checkpoint makes the upsert collide.
      try {
        await at.checkpoints.updateOne({ _id: c.name, position: null }, { $set: { position: c.to } }, { upsert: true });
        return;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
    } else {
      const r = await at.checkpoints.updateOne({ _id: c.name, position: c.from }, { $set: { position: c.to } });
      if (r.matchedCount === 1) return;
    }
    const now = await at.checkpoints.findOne({ _id: c.name });
    throw checkpointMoved(c, now?.position ?? null);
  }

  async reset(collections: string[], checkpointNames: string[]): Promise<void> {
    const at = await this.at();
    // Dropping is far cheaper than deleting millions of documents; the indexes are recreated below.
    await Promise.all(collections.map((c) => at.docs(c).drop()));
    await Promise.all(
      collections.map((c) => at.tombstones.deleteMany({ _id: { $regex: `^${escapeRegex(c)}:` } })),
    );
    if (checkpointNames.length > 0) await at.checkpoints.deleteMany({ _id: { $in: checkpointNames } });
    await this.conn.ensureIndexes(at.generation);
  }

  /** Read without the cache: a rebuild decides on it. */
  async generations(): Promise<{ active: number; building: number | null }> {
    return this.conn.readGenerations();
  }

  /**
   * The generation being built (a rebuild that was interrupted resumes it), or a new one after the
   * active generation: whatever an abandoned attempt left under that number is dropped first.
   * Its indexes exist when this returns.
   */
  async beginGeneration(): Promise<number> {
    for (;;) {
      const { active, building } = await this.conn.readGenerations();
      if (building !== null) {
        await this.conn.ensureIndexes(building); // the interrupted call may not have got this far
        return building;
      }
      const next = active + 1;
      // Cleared before it is claimed, so a crash in between leaves nothing a resumed rebuild would
      // mix with its own documents: the next call clears it again.
      await this.dropGeneration(next);
      await this.conn.ensureIndexes(next);
      try {
        // Compare-and-set on the alias document: only the caller that saw it unchanged claims `next`.
        // When the document is missing the upsert creates it; when it changed meanwhile the filter
        // misses and the upsert collides on _id. (Every write sets both fields, so neither is missing.)
        await this.conn.meta.updateOne(
          { _id: READ_MODELS_META_ID, active, building: null },
          { $set: { active, building: next } },
          { upsert: true },
        );
        return next;
      } catch (e) {
        if (isDuplicateKey(e)) continue; // another caller changed the document first: look again
        throw e;
      }
    }
  }

  forGeneration(generation: number): ProjectionStore {
    return new MongoProjectionStore(this.conn, generation);
  }

  /**
   * Switches every reader to `generation` in one update of the alias document, then drops the
   * generations older than the one it replaced and older than `generation - 1`: the generation just
   * replaced stays (stale readers of other processes still use it for up to
   * `ACTIVE_GENERATION_TTL_MS`; it also allows a rollback by hand), and a repeated call after a
   * crash between the switch and the clean-up keeps it too.
   */
  async activateGeneration(generation: number): Promise<void> {
    const previous = (await this.conn.readGenerations()).active;
    await this.conn.meta.updateOne(
      { _id: READ_MODELS_META_ID },
      { $set: { active: generation, building: null } },
      { upsert: true },
    );
    this.conn.generationActivated(generation);
    const keepFrom = Math.min(previous, generation - 1);
    const names = await this.conn.db.listCollections({}, { nameOnly: true }).toArray();
    await Promise.all(
      names
        .filter((c) => {
          const g = generationOf(c.name);
          return g !== null && g < keepFrom;
        })
        .map((c) => this.conn.db.collection(c.name).drop()),
    );
  }

  /** Drops every collection of `generation` (documents, checkpoints and tombstones). */
  private async dropGeneration(generation: number): Promise<void> {
    const names = await this.conn.db.listCollections({}, { nameOnly: true }).toArray();
    await Promise.all(names.filter((c) => generationOf(c.name) === generation).map((c) => this.conn.db.collection(c.name).drop()));
  }

  async ping(): Promise<void> {
    await this.conn.db.command({ ping: 1 });
  }
}

function checkpointMoved(c: CheckpointMove, actual: number | null): ConcurrencyError {
  return new ConcurrencyError(`checkpoint:${c.name}`, String(c.from), String(actual));
}
