import { Collection, Db, IndexDescription, MongoClient, MongoClientOptions } from 'mongodb';
import { COLLECTIONS } from '../read-models/documents';

export const DEFAULT_MONGO_DB = 'workflows';

/** Collections the adapters own besides the projection collections of `COLLECTIONS`. */
export const MONGO_COLLECTIONS = {
  tombstones: 'projection_tombstones',
  checkpoints: 'projection_checkpoints',
  leases: 'leases',
  blobBucket: 'blobs',
  /** The alias document readers follow (`ReadModelsMeta`). */
  meta: 'read_model_meta',
} as const;

/** `_id` of the alias document in `read_model_meta`. */
export const READ_MODELS_META_ID = 'read-models';

/** One projection's generations (see `ProjectionGenerations`), kept in the alias document. */
export interface ProjectionGenerationsDoc {
  collection: string;
  active: number;
  /** The generation `active` replaced, kept for stale readers and a rollback by hand. */
  previous: number | null;
  building: number | null;
}

export interface ReadModelsMeta {
  _id: typeof READ_MODELS_META_ID;
  /**
   * The generation of every projection that has no entry in `projections` (before generations were
   * per projection this was the only one); 0 when the document does not exist yet.
   */
  active: number;
  /** A rebuild of that layout left interrupted, or null. */
  building: number | null;
  /** Per projection name. One document, so a switch of several projections is one atomic update. */
  projections?: Record<string, ProjectionGenerationsDoc>;
}

/** The alias document as read once: which generation each projection and collection uses. */
export class GenerationLayout {
  constructor(readonly meta: ReadModelsMeta) {}
  get projections(): Record<string, ProjectionGenerationsDoc> {
    return this.meta.projections ?? {};
  }
  /** The projection's entry, or what it implies before it has one. */
  of(p: { name: string; collection: string }): ProjectionGenerationsDoc {
    return this.projections[p.name] ?? { collection: p.collection, active: this.meta.active, previous: null, building: null };
  }
  /** The active generation of a collection's documents and tombstones. */
  collection(collection: string): number {
    return Object.values(this.projections).find((p) => p.collection === collection)?.active ?? this.meta.active;
  }
  /** The active generation holding projection `name`'s checkpoint. */
  checkpoint(name: string): number {
    return this.projections[name]?.active ?? this.meta.active;
  }
}

/**
 * Read models live in generations (blue/green rebuilds). Generation 0 keeps the plain names, so
 * data written before generations existed stays valid; generation N > 0 prefixes `g{N}_` to every
 * read-model collection and to its checkpoints and tombstones. Leases, GridFS and the alias
 * document are shared by all generations.
 */
export const generationPrefix = (generation: number) => (generation === 0 ? '' : `g${generation}_`);

/** The collections one generation consists of (unprefixed names). */
export const GENERATIONAL_COLLECTIONS: readonly string[] = [
  ...Object.values(COLLECTIONS),
  MONGO_COLLECTIONS.checkpoints,
  MONGO_COLLECTIONS.tombstones,
];
const GENERATIONAL = new Set(GENERATIONAL_COLLECTIONS);

/** Name of a read-model, checkpoints or tombstones collection in `generation`. */
export const generationCollection = (name: string, generation: number) => `${generationPrefix(generation)}${name}`;

/** The generation and unprefixed name of a generational collection, or null for any other collection. */
export function parseGenerationCollection(collectionName: string): { generation: number; base: string } | null {
  const m = /^g([1-9][0-9]*)_(.+)$/.exec(collectionName);
  if (m && GENERATIONAL.has(m[2])) return { generation: Number(m[1]), base: m[2] };
  return GENERATIONAL.has(collectionName) ? { generation: 0, base: collectionName } : null;
}

/** The generation a collection name belongs to, or null when it is not a generational collection. */
export function generationOf(collectionName: string): number | null {
  return parseGenerationCollection(collectionName)?.generation ?? null;
}

/**
 * How long a process reuses the active generation it read from the alias document. A switch made
 * by another process reaches this process's readers at most this long later (plus the latency of
 * one read of the alias document); the process that switches sees it at once.
 */
export const ACTIVE_GENERATION_TTL_MS = 1000;

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
const READ_MODEL_INDEXES: Record<string, IndexDescription[]> = {
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
  [COLLECTIONS.definitions]: [
    { name: 'live_createdAt', key: { createdAt: 1, _id: 1 }, partialFilterExpression: LIVE },
    { name: 'live_name', key: { name: 1, _id: 1 }, partialFilterExpression: LIVE },
  ],
  [COLLECTIONS.operations]: [
    { name: 'requestedAt', key: { requestedAt: -1, _id: -1 } },
    { name: 'requestedBy', key: { requestedBy: 1, requestedAt: -1, _id: -1 } },
  ],
  [COLLECTIONS.batches]: [{ name: 'open', key: { completedAt: 1, requestedAt: 1, _id: 1 } }],
};

/** Indexes of the collections shared by every generation. */
const SHARED_INDEXES: Record<string, IndexDescription[]> = {
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
  /** The alias document as last read, with the time the read started (performance.now()). */
  private cached: { layout: GenerationLayout; readAt: number } | null = null;
  private layoutRead: Promise<GenerationLayout> | null = null;
  /** Moves on every switch made here, so a read that started before it cannot cache its old answer. */
  private layoutEpoch = 0;

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

  get meta(): Collection<ReadModelsMeta> {
    return this.db.collection<ReadModelsMeta>(MONGO_COLLECTIONS.meta);
  }

  /** The alias document as stored now (no cache). */
  async readLayout(): Promise<GenerationLayout> {
    const doc = await this.meta.findOne({ _id: READ_MODELS_META_ID });
    return new GenerationLayout(doc ?? { _id: READ_MODELS_META_ID, active: 0, building: null });
  }

  /**
   * The generations readers use. Cached for at most `ACTIVE_GENERATION_TTL_MS` (1 s) from the start
   * of the read that produced it, so a switch made by another process is followed within about 1 s;
   * until then this process keeps reading the generations just replaced, which a switch keeps. A
   * switch made through this connection is seen at once. Concurrent callers share one read.
   */
  async layout(): Promise<GenerationLayout> {
    const cached = this.cached;
    if (cached && performance.now() - cached.readAt < ACTIVE_GENERATION_TTL_MS) return cached.layout;
    if (!this.layoutRead) {
      const readAt = performance.now();
      const epoch = this.layoutEpoch;
      const read = this.readLayout()
        .then((layout) => {
          if (epoch === this.layoutEpoch) this.cached = { layout, readAt };
          return layout;
        })
        .finally(() => {
          if (this.layoutRead === read) this.layoutRead = null;
        });
      this.layoutRead = read;
    }
    return this.layoutRead;
  }

  /** The active generation of a read-model collection (through the cache of `layout`). */
  async activeGeneration(collection: string): Promise<number> {
    return (await this.layout()).collection(collection);
  }

  /** Forgets the cached layout after a switch made through this connection, so its readers follow at once. */
  generationActivated(): void {
    this.layoutEpoch++;
    this.layoutRead = null;
    this.cached = null;
  }

  /**
   * Creates every index the adapters rely on for the read-model `collections` (all by default) in
   * `generation` (by default each collection's active one, read without the cache) and for the
   * shared collections; idempotent, called at start-up, after a reset and when a rebuild begins.
   */
  async ensureIndexes(generation?: number, collections: readonly string[] = Object.keys(READ_MODEL_INDEXES)): Promise<void> {
    const db = this.db;
    const layout = generation === undefined ? await this.readLayout() : null;
    const specs = Object.entries(READ_MODEL_INDEXES).filter(([name]) => collections.includes(name));
    await Promise.all([
      ...specs.map(([name, s]) => db.collection(generationCollection(name, generation ?? layout!.collection(name))).createIndexes(s)),
      ...Object.entries(SHARED_INDEXES).map(([name, specs]) => db.collection(name).createIndexes(specs)),
    ]);
  }
}
