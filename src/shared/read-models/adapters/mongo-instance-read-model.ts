import { Collection, Filter } from 'mongodb';
import { MongoConnection } from '../../mongo/mongo-connection';
import { BookmarkDoc, COLLECTIONS, InstanceDoc, InstanceStatus } from '../documents';
import { InstanceFilter, InstancePage, InstanceReadModel, PageRequest } from '../read-model.ports';
import { Stored, activeCollectionOf, collectionOf, fromStored } from './mongo-read-models';

type StoredInstance = Stored<InstanceDoc>;
type StoredBookmark = Stored<BookmarkDoc>;

/** Statuses whose bookmarks can still be resumed. */
const WAITING: InstanceStatus[] = ['Running', 'Suspended'];

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The query for a filter. `isDeleted: false` is written out literally: the live indexes are
 * partial on exactly that expression and serve only queries that contain it.
 */
function instanceQuery(f: InstanceFilter): Filter<StoredInstance> {
  const and: Filter<StoredInstance>[] = [];
  const q: Filter<StoredInstance> = {};
  if (f.deleted === 'exclude') q.isDeleted = false;
  else if (f.deleted === 'only') q.isDeleted = true;
  if (f.status && f.status.length > 0) q.status = { $in: f.status };
  if (f.definitionId !== undefined) q.definitionId = f.definitionId;
  if (f.correlationId !== undefined) q.correlationId = f.correlationId;
  if (f.createdAfter !== undefined || f.createdBefore !== undefined) {
    q.createdAt = {
      ...(f.createdAfter !== undefined ? { $gte: f.createdAfter } : {}),
      ...(f.createdBefore !== undefined ? { $lt: f.createdBefore } : {}),
    };
  }
  if (f.search) {
    const re = { $regex: escapeRegex(f.search), $options: 'i' };
    and.push({ $or: [{ name: re }, { _id: re }, { correlationId: re }] });
  }
  return and.length > 0 ? { ...q, $and: and } : q;
}

const DEFAULT_PAGE_ORDER = { createdAt: 1, _id: 1 } as const;

/**
 * Reads each collection's active generation, resolved per query (through the connection's cache of
 * at most `ACTIVE_GENERATION_TTL_MS`); a query over both collections resolves both from one read.
 */
export class MongoInstanceReadModel extends InstanceReadModel {
  constructor(private readonly conn: MongoConnection) {
    super();
  }

  private instances(): Promise<Collection<StoredInstance>> {
    return activeCollectionOf<InstanceDoc>(this.conn, COLLECTIONS.instances);
  }

  private bookmarks(): Promise<Collection<StoredBookmark>> {
    return activeCollectionOf<BookmarkDoc>(this.conn, COLLECTIONS.bookmarks);
  }

  /** Both collections in their active generations, from one read of the alias document. */
  private async both(): Promise<{ instances: Collection<StoredInstance>; bookmarks: Collection<StoredBookmark> }> {
    const layout = await this.conn.layout();
    return {
      instances: collectionOf<InstanceDoc>(this.conn, COLLECTIONS.instances, layout.collection(COLLECTIONS.instances)),
      bookmarks: collectionOf<BookmarkDoc>(this.conn, COLLECTIONS.bookmarks, layout.collection(COLLECTIONS.bookmarks)),
    };
  }

  async get(id: string): Promise<InstanceDoc | null> {
    const instances = await this.instances();
    return fromStored<InstanceDoc>(await instances.findOne({ _id: id }));
  }

  async getMany(ids: string[]): Promise<Map<string, InstanceDoc>> {
    const out = new Map<string, InstanceDoc>();
    const instances = await this.instances();
    const docs = await instances.find({ _id: { $in: ids } }).toArray();
    for (const d of docs) {
      const doc = fromStored<InstanceDoc>(d);
      if (doc) out.set(doc.id, doc);
    }
    return out;
  }

  async list(filter: InstanceFilter, page: PageRequest): Promise<InstancePage> {
    const query = instanceQuery(filter);
    const field = page.orderBy;
    const dir = page.orderDirection === 'asc' ? 1 : -1;
    let pageQuery = query;
    if (page.after) {
      // Keyset: strictly after (value, id) in the requested direction.
      const cmp = dir === 1 ? '$gt' : '$lt';
      const after: Filter<StoredInstance> = {
        $or: [{ [field]: { [cmp]: page.after.value } }, { [field]: page.after.value, _id: { [cmp]: page.after.id } }],
      };
      // Kept beside the top-level fields (not wrapping them) so `isDeleted: false` stays literal.
      pageQuery = { ...query, $and: [...(query.$and ?? []), after] };
    }
    const instances = await this.instances(); // one generation for the page and its count
    const [docs, totalCount] = await Promise.all([
      instances
        .find(pageQuery)
        .sort({ [field]: dir, _id: dir })
        .limit(page.limit + 1)
        .toArray(),
      instances.countDocuments(query),
    ]);
    const more = docs.length > page.limit;
    const items = docs.slice(0, page.limit).map((d) => fromStored<InstanceDoc>(d)!);
    const last = items[items.length - 1];
    return { items, totalCount, next: more && last ? { value: last[field], id: last.id } : null };
  }

  async count(filter: InstanceFilter): Promise<number> {
    const instances = await this.instances();
    return instances.countDocuments(instanceQuery(filter));
  }

  async selectIds(filter: InstanceFilter, limit: number): Promise<string[]> {
    const instances = await this.instances();
    const docs = await instances
      .find(instanceQuery(filter), { projection: { _id: 1 } })
      .sort(DEFAULT_PAGE_ORDER)
      .limit(limit)
      .toArray();
    return docs.map((d) => d._id);
  }

  async deletedByOperation(operationId: string, limit: number): Promise<string[]> {
    const instances = await this.instances();
    const docs = await instances
      .find({ isDeleted: true, deletionOperationId: operationId }, { projection: { _id: 1 } })
      .limit(limit)
      .toArray();
    return docs.map((d) => d._id);
  }

  /**
   * Oldest first. Bookmarks do not know their instance's state, so pages of bookmarks are checked
   * against the live, waiting instances until `limit` are found or the bookmarks run out.
   */
  async listBookmarks(query: { name?: string; instanceId?: string; limit: number }): Promise<BookmarkDoc[]> {
    const result: BookmarkDoc[] = [];
    if (query.limit <= 0) return result;
    const base: Filter<StoredBookmark> = {};
    if (query.name !== undefined) base.name = query.name;
    if (query.instanceId !== undefined) base.instanceId = query.instanceId;
    const chunk = Math.min(Math.max(query.limit * 2, 100), 5000);
    const { instances, bookmarks } = await this.both();
    let after: { createdAt: string; id: string } | null = null;
    while (result.length < query.limit) {
      const filter: Filter<StoredBookmark> = after
        ? {
            $and: [
              base,
              { $or: [{ createdAt: { $gt: after.createdAt } }, { createdAt: after.createdAt, _id: { $gt: after.id } }] },
            ],
          }
        : base;
      const page = await bookmarks.find(filter).sort({ createdAt: 1, _id: 1 }).limit(chunk).toArray();
      if (page.length === 0) break;
      const instanceIds = [...new Set(page.map((b) => b.instanceId))];
      const live = await instances
        .find({ _id: { $in: instanceIds }, isDeleted: false, status: { $in: WAITING } }, { projection: { _id: 1 } })
        .toArray();
      const liveIds = new Set(live.map((i) => i._id));
      for (const b of page) {
        if (liveIds.has(b.instanceId)) result.push(fromStored<BookmarkDoc>(b)!);
        if (result.length === query.limit) break;
      }
      if (page.length < chunk) break;
      const last = page[page.length - 1];
      after = { createdAt: last.createdAt, id: last._id };
    }
    return result;
  }

  async getBookmark(id: string): Promise<BookmarkDoc | null> {
    const bookmarks = await this.bookmarks();
    return fromStored<BookmarkDoc>(await bookmarks.findOne({ _id: id }));
  }

  async deleteBookmarks(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const bookmarks = await this.bookmarks();
    const r = await bookmarks.deleteMany({ _id: { $in: ids } });
    return r.deletedCount;
  }

  async purgeCandidates(now: string, limit: number): Promise<string[]> {
    const instances = await this.instances();
    const docs = await instances
      .find(
        {
          isDeleted: true,
          purgeAfter: { $lte: now },
          'purge.failed': false,
          $or: [{ 'purge.retryAfter': null }, { 'purge.retryAfter': { $lte: now } }],
        },
        { projection: { _id: 1 } },
      )
      .sort({ purgeAfter: 1, _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map((d) => d._id);
  }

  /** `due`: soft-deleted, `purgeAfter <= now` and not given up (claimed or backing off included). */
  async purgeBacklog(now: string): Promise<{ softDeleted: number; due: number }> {
    const instances = await this.instances();
    const [softDeleted, due] = await Promise.all([
      instances.countDocuments({ isDeleted: true }),
      instances.countDocuments({ isDeleted: true, purgeAfter: { $lte: now }, 'purge.failed': false }),
    ]);
    return { softDeleted, due };
  }
}
