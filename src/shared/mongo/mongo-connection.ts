import { Db, IndexDescription, MongoClient, MongoClientOptions } from 'mongodb';
import { COLLECTIONS } from '../read-models/documents';

export const DEFAULT_MONGO_DB = 'workflows';

/** Collections the adapters own besides the projection collections of `COLLECTIONS`. */
export const MONGO_COLLECTIONS = {
  tombstones: 'projection_tombstones',
  checkpoints: 'projection_checkpoints',
  leases: 'leases',
  blobBucket: 'blobs',
} as const;

/**
 * The database named in the URI path (`mongodb://host/db?…`), or `workflows` when it names none.
 * Hosts and percent-encoded credentials never contain `/`, so the first `/` after the scheme starts
 * the path.
 */
export function dbNameFromUri(uri: string): string {
  const m = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(uri);
  const name = m ? decodeURIComponent(m[1]) : '';
  return name || DEFAULT_MONGO_DB;
}

const LIVE = { isDeleted: false };
const SOFT_DELETED = { isDeleted: true };

/**
 * Every index the MongoDB adapters query by. "Live" indexes are partial on `isDeleted: false`, so
 * millions of soft-deleted documents cost nothing on the default lists; the queries that should
 * use them carry `isDeleted: false` literally (a partial index serves only queries that imply its
 * filter).
 */
const INDEXES: Record<string, IndexDescription[]> = {
  [COLLECTIONS.instances]: [
    { name: 'live_createdAt', key: { createdAt: 1, _id: 1 }, partialFilterExpression: LIVE },
    { name: 'live_updatedAt', key: { updatedAt: 1, _id: 1 }, partialFilterExpression: LIVE },
    { name: 'live_definition', key: { definitionId: 1, createdAt: 1, _id: 1 }, partialFilterExpression: LIVE },
    { name: 'live_status', key: { status: 1, createdAt: 1, _id: 1 }, partialFilterExpression: LIVE },
    { name: 'live_correlation', key: { correlationId: 1, createdAt: 1, _id: 1 }, partialFilterExpression: LIVE },
    // `deleted: include | only` lists: a different key pattern from the live ones (servers reject
    // two indexes on one key pattern on some versions), still giving the (field, _id) order.
    { name: 'all_createdAt', key: { createdAt: 1, _id: 1, isDeleted: 1 } },
    { name: 'all_updatedAt', key: { updatedAt: 1, _id: 1, isDeleted: 1 } },
    { name: 'deleted_purgeAfter', key: { purgeAfter: 1, _id: 1 }, partialFilterExpression: SOFT_DELETED },
    { name: 'deleted_operation', key: { deletionOperationId: 1 }, partialFilterExpression: SOFT_DELETED },
  ],
  [COLLECTIONS.bookmarks]: [
    { name: 'createdAt', key: { createdAt: 1, _id: 1 } },
    { name: 'instance', key: { instanceId: 1, createdAt: 1, _id: 1 } },
    { name: 'name', key: { name: 1, createdAt: 1, _id: 1 } },
  ],
  [COLLECTIONS.definitions]: [{ name: 'live_createdAt', key: { createdAt: 1, _id: 1 }, partialFilterExpression: LIVE }],
  [COLLECTIONS.operations]: [
    { name: 'requestedAt', key: { requestedAt: -1, _id: -1 } },
    { name: 'requestedBy', key: { requestedBy: 1, requestedAt: -1, _id: -1 } },
  ],
  [COLLECTIONS.batches]: [{ name: 'open', key: { completedAt: 1, requestedAt: 1, _id: 1 } }],
  [`${MONGO_COLLECTIONS.blobBucket}.files`]: [
    { name: 'instance_name', key: { 'metadata.instanceId': 1, 'metadata.name': 1, uploadDate: -1 } },
    // The same keys and options GridFSBucket creates on its first upload, so neither side conflicts.
    { key: { filename: 1, uploadDate: 1 } },
  ],
  [`${MONGO_COLLECTIONS.blobBucket}.chunks`]: [{ key: { files_id: 1, n: 1 }, unique: true }],
};

/** Owns the one `MongoClient` of a process; every MongoDB adapter shares it. */
export class MongoConnection {
  readonly client: MongoClient;
  readonly dbName: string;

  /** @param dbName overrides the database of the URI (contract tests use a throw-away one). */
  constructor(
    readonly uri: string,
    dbName?: string,
    options: MongoClientOptions = {},
  ) {
    // Not `ignoreUndefined` here: it would also drop undefined values from filters, so that
    // `{ _id: undefined }` matched every document. The projection store sets it on its writes.
    this.client = new MongoClient(uri, options);
    this.dbName = dbName ?? dbNameFromUri(uri);
  }

  get db(): Db {
    return this.client.db(this.dbName);
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Creates every index the adapters rely on; idempotent, called at start-up and after a reset. */
  async ensureIndexes(): Promise<void> {
    const db = this.db;
    await Promise.all(Object.entries(INDEXES).map(([name, specs]) => db.collection(name).createIndexes(specs)));
  }
}
