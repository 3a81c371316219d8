import { SqliteConnection } from '../../sqlite/sqlite-database';
import { COLLECTIONS } from '../documents';

/**
 * Read models live in generations: a rebuild fills generation N+1 beside the active one, then
 * switches readers over in one write to `rm_meta`. Generation 0 keeps the plain `rm_` names.
 */
export const rmPrefix = (generation: number) => (generation === 0 ? 'rm_' : `rm${generation}_`);
/** Table of a read-model collection in the embedded store. */
export const rmTable = (collection: string, generation = 0) => `${rmPrefix(generation)}${collection}`;

export const META_SCHEMA = 'CREATE TABLE IF NOT EXISTS rm_meta (key TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID';

/** The generation readers use. Read on every query (a primary-key lookup), so a switch made by another process is seen at once. */
export function activeGeneration(conn: SqliteConnection): number {
  return conn.stmt<[], { value: number }>("SELECT value FROM rm_meta WHERE key = 'active'").get()?.value ?? 0;
}

type Doc = Record<string, any>;
type Extract = (doc: Doc) => string | number | null;
const bool = (v: unknown) => (v ? 1 : 0);

/**
 * Columns queries filter or sort on, copied from the document on every write. Plain columns
 * (not generated from the JSON) keep writes cheap: SQLite would re-evaluate a generated column
 * for the old and the new row of every index it belongs to.
 */
export const COLUMNS: Record<string, Record<string, Extract>> = {
  [COLLECTIONS.definitions]: { is_deleted: (d) => bool(d.isDeleted), name: (d) => d.name },
  [COLLECTIONS.instances]: {
    is_deleted: (d) => bool(d.isDeleted),
    status: (d) => d.status,
    definition_id: (d) => d.definitionId,
    correlation_id: (d) => d.correlationId,
    name: (d) => d.name,
    created_at: (d) => d.createdAt,
    updated_at: (d) => d.updatedAt,
    purge_after: (d) => d.purgeAfter,
    purge_failed: (d) => bool(d.purge?.failed),
    purge_retry_after: (d) => d.purge?.retryAfter ?? null,
    deletion_operation_id: (d) => d.deletionOperationId,
  },
  [COLLECTIONS.bookmarks]: { instance_id: (d) => d.instanceId, name: (d) => d.name, created_at: (d) => d.createdAt },
  [COLLECTIONS.operations]: { requested_at: (d) => d.requestedAt, requested_by: (d) => d.requestedBy },
  [COLLECTIONS.batches]: { completed_at: (d) => d.completedAt, requested_at: (d) => d.requestedAt },
  [COLLECTIONS.audit]: {},
};

const cols = (collection: string) =>
  Object.keys(COLUMNS[collection])
    .map((c) => `, ${c}`)
    .join('');

/**
 * Every collection is `(id, pos, doc JSON)` plus the indexed columns of `COLUMNS`. Partial indexes on `is_deleted = 0` keep the default (live) queries
 * as fast with 90% soft-deleted rows as with none: queries must say `is_deleted = 0` literally.
 */
export function readModelSchema(generation: number): string {
  const p = rmPrefix(generation);
  const t = (c: string) => rmTable(c, generation);
  return `
CREATE TABLE IF NOT EXISTS ${p}checkpoints (name TEXT PRIMARY KEY, position INTEGER, updated_at TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${p}tombstones (collection TEXT NOT NULL, id TEXT NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS ${t(COLLECTIONS.definitions)} (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL${cols(COLLECTIONS.definitions)});

CREATE TABLE IF NOT EXISTS ${t(COLLECTIONS.instances)} (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL${cols(COLLECTIONS.instances)});
CREATE INDEX IF NOT EXISTS ${p}ix_inst_live_created ON ${t(COLLECTIONS.instances)} (created_at, id) WHERE is_deleted = 0;
CREATE INDEX IF NOT EXISTS ${p}ix_inst_live_updated ON ${t(COLLECTIONS.instances)} (updated_at, id) WHERE is_deleted = 0;
CREATE INDEX IF NOT EXISTS ${p}ix_inst_live_status ON ${t(COLLECTIONS.instances)} (status, created_at, id) WHERE is_deleted = 0;
CREATE INDEX IF NOT EXISTS ${p}ix_inst_live_def ON ${t(COLLECTIONS.instances)} (definition_id, created_at, id) WHERE is_deleted = 0;
CREATE INDEX IF NOT EXISTS ${p}ix_inst_live_corr ON ${t(COLLECTIONS.instances)} (correlation_id) WHERE is_deleted = 0;
CREATE INDEX IF NOT EXISTS ${p}ix_inst_deleted_created ON ${t(COLLECTIONS.instances)} (created_at, id) WHERE is_deleted = 1;
CREATE INDEX IF NOT EXISTS ${p}ix_inst_all_created ON ${t(COLLECTIONS.instances)} (created_at, id);
CREATE INDEX IF NOT EXISTS ${p}ix_inst_purge ON ${t(COLLECTIONS.instances)} (purge_after) WHERE is_deleted = 1;
CREATE INDEX IF NOT EXISTS ${p}ix_inst_op ON ${t(COLLECTIONS.instances)} (deletion_operation_id) WHERE is_deleted = 1;

CREATE TABLE IF NOT EXISTS ${t(COLLECTIONS.bookmarks)} (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL${cols(COLLECTIONS.bookmarks)});
CREATE INDEX IF NOT EXISTS ${p}ix_bm_instance ON ${t(COLLECTIONS.bookmarks)} (instance_id);
CREATE INDEX IF NOT EXISTS ${p}ix_bm_name ON ${t(COLLECTIONS.bookmarks)} (name, created_at);

CREATE TABLE IF NOT EXISTS ${t(COLLECTIONS.operations)} (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL${cols(COLLECTIONS.operations)});
CREATE INDEX IF NOT EXISTS ${p}ix_op_requested ON ${t(COLLECTIONS.operations)} (requested_at);

CREATE TABLE IF NOT EXISTS ${t(COLLECTIONS.batches)} (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL${cols(COLLECTIONS.batches)});
CREATE INDEX IF NOT EXISTS ${p}ix_batch_open ON ${t(COLLECTIONS.batches)} (requested_at) WHERE completed_at IS NULL;

CREATE TABLE IF NOT EXISTS ${t(COLLECTIONS.audit)} (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL);
`;
}
