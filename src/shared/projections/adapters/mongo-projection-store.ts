import { AnyBulkWriteOperation, Collection, Document, MongoBulkWriteError, MongoServerError } from 'mongodb';
import { ConcurrencyError } from '../../event-sourcing/errors';
import { MONGO_COLLECTIONS, MongoConnection } from '../../mongo/mongo-connection';
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

/**
 * ProjectionStore on MongoDB. A document is stored as `{ _id: id, _pos: position, ...doc }` in the
 * collection of its projection; a removed document leaves `{ _id: 'collection:id', pos }` in
 * `projection_tombstones`, so a replayed older event cannot bring it back. No transactions: each
 * write is a single-document operation guarded by position (replays and retries change nothing),
 * and checkpoints move last with a compare-and-set.
 */
export class MongoProjectionStore extends ProjectionStore {
  readonly kind = 'mongodb';

  constructor(private readonly conn: MongoConnection) {
    super();
  }

  private get tombstones(): Collection<Tombstone> {
    return this.conn.db.collection<Tombstone>(MONGO_COLLECTIONS.tombstones);
  }

  private get checkpoints(): Collection<Checkpoint> {
    return this.conn.db.collection<Checkpoint>(MONGO_COLLECTIONS.checkpoints);
  }

  private docs(collection: string): Collection<StoredDocument> {
    return this.conn.db.collection<StoredDocument>(collection);
  }

  async getMany(collection: string, ids: string[]): Promise<Map<string, StoredDoc>> {
    const result = new Map<string, StoredDoc>();
    if (ids.length === 0) return result;
    const unique = [...new Set(ids)];
    for (const { _id, _pos, ...doc } of await this.docs(collection).find({ _id: { $in: unique } }).toArray()) {
      result.set(_id, { doc: doc as ReadDoc, position: _pos });
    }
    const missing = unique.filter((id) => !result.has(id));
    if (missing.length > 0) {
      const keys = missing.map((id) => tombstoneId(collection, id));
      for (const t of await this.tombstones.find({ _id: { $in: keys } }).toArray()) {
        result.set(t._id.slice(collection.length + 1), { doc: null, position: t.pos });
      }
    }
    return result;
  }

  async loadCheckpoints(names: string[]): Promise<Map<string, number | null>> {
    const result = new Map<string, number | null>(names.map((n) => [n, null]));
    if (names.length === 0) return result;
    for (const c of await this.checkpoints.find({ _id: { $in: names } }).toArray()) result.set(c._id, c.position ?? null);
    return result;
  }

  async commit(writes: DocWrite[], checkpoints: CheckpointMove[]): Promise<void> {
    // Fail before writing anything when another projector already moved a checkpoint; the
    // compare-and-set at the end still decides a race that starts after this read.
    if (checkpoints.length > 0) {
      const current = await this.loadCheckpoints(checkpoints.map((c) => c.name));
      for (const c of checkpoints) {
        const actual = current.get(c.name) ?? null;
        if (actual !== c.from) throw checkpointMoved(c, actual);
      }
    }
    await this.writeDocs(writes);
    for (const c of checkpoints) await this.moveCheckpoint(c);
  }

  private async writeDocs(writes: DocWrite[]): Promise<void> {
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
      for (const t of await this.tombstones.find({ _id: { $in: upsertKeys } }).toArray()) tombstoned.set(t._id, t.pos);
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
      ...[...byCollection].map(([collection, ops]) => bulkIgnoringDuplicates(this.docs(collection), ops)),
      bulkIgnoringDuplicates(this.tombstones, tombstoneOps),
    ]);
  }

  private async moveCheckpoint(c: CheckpointMove): Promise<void> {
    if (c.from === null) {
      // `position: null` also matches a missing field; an existing checkpoint makes the upsert collide.
      try {
        await this.checkpoints.updateOne({ _id: c.name, position: null }, { $set: { position: c.to } }, { upsert: true });
        return;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
    } else {
      const r = await this.checkpoints.updateOne({ _id: c.name, position: c.from }, { $set: { position: c.to } });
      if (r.matchedCount === 1) return;
    }
    const now = await this.checkpoints.findOne({ _id: c.name });
    throw checkpointMoved(c, now?.position ?? null);
  }

  async reset(collections: string[], checkpointNames: string[]): Promise<void> {
    const db = this.conn.db;
    // Dropping is far cheaper than deleting millions of documents; the indexes are recreated below.
    await Promise.all(collections.map((c) => db.collection(c).drop()));
    await Promise.all(
      collections.map((c) => this.tombstones.deleteMany({ _id: { $regex: `^${escapeRegex(c)}:` } })),
    );
    if (checkpointNames.length > 0) await this.checkpoints.deleteMany({ _id: { $in: checkpointNames } });
    await this.conn.ensureIndexes();
  }

  async ping(): Promise<void> {
    await this.conn.db.command({ ping: 1 });
  }
}

function checkpointMoved(c: CheckpointMove, actual: number | null): ConcurrencyError {
  return new ConcurrencyError(`checkpoint:${c.name}`, String(c.from), String(actual));
}
