import { AnyBulkWriteOperation, Collection, Document, MongoBulkWriteError } from 'mongodb';
import { ConcurrencyError } from '../../event-sourcing/errors';
import { MONGO_COLLECTIONS, MongoConnection, generationCollection } from '../../mongo/mongo-connection';
import { ReadDoc } from '../projection';
import { CheckpointMove, DocWrite, ProjectionGenerations, ProjectionRef, ProjectionStore, StoredDoc } from '../projection-store.port';
import { MongoGenerationLifecycle, isDuplicateKey } from './mongo-generation-lifecycle';

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

/**
 * The collections one operation works on, their generations resolved once for all of it: one
 * generation (a rebuild's store) or each projection's active one from one read of the alias document.
 */
class GenerationCollections {
  constructor(
    private readonly conn: MongoConnection,
    private readonly docsGeneration: (collection: string) => number,
    private readonly checkpointsGeneration: (name: string) => number,
  ) {}

  /** Tombstones of `collection` live in the generation of its documents. */
  tombstones(collection: string): Collection<Tombstone> {
    return this.conn.db.collection<Tombstone>(generationCollection(MONGO_COLLECTIONS.tombstones, this.docsGeneration(collection)));
  }

  checkpoints(name: string): Collection<Checkpoint> {
    return this.conn.db.collection<Checkpoint>(generationCollection(MONGO_COLLECTIONS.checkpoints, this.checkpointsGeneration(name)));
  }

  docs(collection: string): Collection<StoredDocument> {
    return this.conn.db.collection<StoredDocument>(generationCollection(collection, this.docsGeneration(collection)));
  }

  generationOf(collection: string): number {
    return this.docsGeneration(collection);
  }
}

/**
 * ProjectionStore on MongoDB. A document is stored as `{ _id: id, _pos: position, ...doc }` in the
 * collection of its projection; a removed document leaves `{ _id: 'collection:id', pos }` in
 * `projection_tombstones`, so a replayed older event cannot bring it back. No transactions: each
 * write is a single-document operation guarded by position (replays and retries change nothing),
 * and checkpoints move last with a compare-and-set.
 *
 * Generations (blue/green rebuilds, per projection): generation N > 0 prefixes `g{N}_` to the
 * document, checkpoint and tombstone collections (see `generationPrefix`); the alias document in
 * `read_model_meta` says which generation each projection's readers use. A projection's documents,
 * tombstones and checkpoint are always in the same generation. Without `fixedGeneration` the store
 * follows each projection's active generation (through the connection's cache, so a switch made by
 * another process reaches it within `ACTIVE_GENERATION_TTL_MS`), so after a switch the live
 * projector's next commit fails its compare-and-set against the new generation's checkpoint and it
 * resumes from there. Each operation resolves the generations once. A commit that resolved the old
 * generation just before a switch still lands there, complete; that generation is kept by the
 * switch and no longer read once readers have followed it. Lifecycle: `MongoGenerationLifecycle`.
 */
export class MongoProjectionStore extends ProjectionStore {
  readonly kind = 'mongodb';

  private readonly lifecycle: MongoGenerationLifecycle;

  constructor(
    private readonly conn: MongoConnection,
    private readonly fixedGeneration?: number,
  ) {
    super();
    this.lifecycle = new MongoGenerationLifecycle(conn);
  }

  /** The collections this store works on for one operation. */
  private async at(): Promise<GenerationCollections> {
    const fixed = this.fixedGeneration;
    if (fixed !== undefined) return new GenerationCollections(this.conn, () => fixed, () => fixed);
    const layout = await this.conn.layout();
    return new GenerationCollections(this.conn, (c) => layout.collection(c), (n) => layout.checkpoint(n));
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
      for (const t of await at.tombstones(collection).find({ _id: { $in: keys } }).toArray()) {
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
    await Promise.all(
      names.map(async (n) => {
        const c = await at.checkpoints(n).findOne({ _id: n });
        result.set(n, c?.position ?? null);
      }),
    );
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
    const upserted = new Map<string, string[]>();
    for (const [k, w] of latest) if (w.doc !== null) upserted.set(w.collection, [...(upserted.get(w.collection) ?? []), k]);
    const tombstoned = new Map<string, number>();
    for (const [collection, keys] of upserted) {
      for (const t of await at.tombstones(collection).find({ _id: { $in: keys } }).toArray()) tombstoned.set(t._id, t.pos);
    }

    const byCollection = new Map<string, AnyBulkWriteOperation<StoredDocument>[]>();
    const tombstoneOps = new Map<string, AnyBulkWriteOperation<Tombstone>[]>();
    for (const [key, w] of latest) {
      const ops = byCollection.get(w.collection) ?? [];
      byCollection.set(w.collection, ops);
      if (w.doc === null) {
        ops.push({ deleteOne: { filter: { _id: w.id, _pos: { $lt: w.position } } } });
        const tombs = tombstoneOps.get(w.collection) ?? [];
        tombstoneOps.set(w.collection, tombs);
        tombs.push({
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
      ...[...tombstoneOps].map(([collection, ops]) => bulkIgnoringDuplicates(at.tombstones(collection), ops)),
    ]);
  }

  private async moveCheckpoint(at: GenerationCollections, c: CheckpointMove): Promise<void> {
    if (c.from === null) {
      // `position: null` also matches a missing field; an existing checkpoint makes the upsert collide.
      try {
        await at.checkpoints(c.name).updateOne({ _id: c.name, position: null }, { $set: { position: c.to } }, { upsert: true });
        return;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
    } else {
      const r = await at.checkpoints(c.name).updateOne({ _id: c.name, position: c.from }, { $set: { position: c.to } });
      if (r.matchedCount === 1) return;
    }
    const now = await at.checkpoints(c.name).findOne({ _id: c.name });
    throw checkpointMoved(c, now?.position ?? null);
  }

  async reset(collections: string[], checkpointNames: string[]): Promise<void> {
    const at = await this.at();
    // Dropping is far cheaper than deleting millions of documents; the indexes are recreated below.
    await Promise.all(collections.map((c) => at.docs(c).drop()));
    await Promise.all(collections.map((c) => at.tombstones(c).deleteMany({ _id: { $regex: `^${escapeRegex(c)}:` } })));
    await Promise.all(checkpointNames.map((n) => at.checkpoints(n).deleteOne({ _id: n })));
    await Promise.all(collections.map((c) => this.conn.ensureIndexes(at.generationOf(c), [c])));
  }

  generations(projections: ProjectionRef[]): Promise<Map<string, ProjectionGenerations>> {
    return this.lifecycle.generations(projections);
  }

  beginGeneration(projections: ProjectionRef[]): Promise<Map<string, number>> {
    return this.lifecycle.begin(projections);
  }

  forGeneration(generation: number): ProjectionStore {
    return new MongoProjectionStore(this.conn, generation);
  }

  activateGeneration(generation: number, projections: ProjectionRef[]): Promise<void> {
    return this.lifecycle.activate(generation, projections);
  }

  async ping(): Promise<void> {
    await this.conn.db.command({ ping: 1 });
  }
}

function checkpointMoved(c: CheckpointMove, actual: number | null): ConcurrencyError {
  return new ConcurrencyError(`checkpoint:${c.name}`, String(c.from), String(actual));
}
