import { COLLECTIONS } from '../documents';

/**
 * Read models live in generations, one line of generations per projection (blue/green rebuilds
 * of one projection or of all). Generation numbers are allocated from one sequence, so tables of
 * different generations never collide: generation N of a collection is the table `rm{N}_{collection}`
 * (generation 0 keeps the plain `rm_` names), with its checkpoint in `rm{N}_checkpoints` and its
 * tombstones in `rm{N}_tombstones` (rows keyed by checkpoint name / collection, so projections
 * built into the same generation share those two tables).
 *
 * `rm_generations` says, per projection, which generation readers use (`active`), which one it
 * replaced (`previous`, kept for stale readers and a rollback by hand) and which one a rebuild is
 * filling (`building`). A projection without a row uses `rm_meta.active` (the single generation of
 * every read model before generations were per projection), else 0.
 */
export const rmPrefix = (generation: number) => (generation === 0 ? 'rm_' : `rm${generation}_`);
/** Table of a read-model collection in the embedded store. */
export const rmTable = (collection: string, generation = 0) => `${rmPrefix(generation)}${collection}`;

/** Every table of a generation: `rm{N}_x` (or `rm_x` for 0) with `x` a collection, `checkpoints` or `tombstones`. */
export function parseRmTable(table: string): { generation: number; suffix: string } | null {
  const m = /^rm(\d*)_(.+)$/.exec(table);
  if (!m || !(m[2] in TABLE_DDL || m[2] === 'checkpoints' || m[2] === 'tombstones')) return null;
  return { generation: m[1] === '' ? 0 : Number(m[1]), suffix: m[2] };
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
  Object.keys(COLUMNS[collection] ?? {})
    .map((c) => `, ${c}`)
    .join('');

const table = (c: string, g: number) => `CREATE TABLE IF NOT EXISTS ${rmTable(c, g)} (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL${cols(c)});`;
const index = (g: number, name: string, c: string, on: string) => `CREATE INDEX IF NOT EXISTS ${rmPrefix(g)}${name} ON ${rmTable(c, g)} ${on};`;

/**
 * Every collection is `(id, pos, doc JSON)` plus the indexed columns of `COLUMNS`. Partial indexes
 * on `is_deleted = 0` keep the default (live) queries as fast with 90% soft-deleted rows as with
 * none: queries must say `is_deleted = 0` literally.
 */
const TABLE_DDL: Record<string, (g: number) => string[]> = {
  [COLLECTIONS.definitions]: (g) => [table(COLLECTIONS.definitions, g)],
  [COLLECTIONS.instances]: (g) => {
    const i = (name: string, on: string) => index(g, name, COLLECTIONS.instances, on);
    return [
      table(COLLECTIONS.instances, g),
      i('ix_inst_live_created', '(created_at, id) WHERE is_deleted = 0'),
      i('ix_inst_live_updated', '(updated_at, id) WHERE is_deleted = 0'),
      i('ix_inst_live_status', '(status, created_at, id) WHERE is_deleted = 0'),
      i('ix_inst_live_def', '(definition_id, created_at, id) WHERE is_deleted = 0'),
      i('ix_inst_live_corr', '(correlation_id) WHERE is_deleted = 0'),
      i('ix_inst_deleted_created', '(created_at, id) WHERE is_deleted = 1'),
      i('ix_inst_all_created', '(created_at, id)'),
      i('ix_inst_purge', '(purge_after) WHERE is_deleted = 1'),
      i('ix_inst_op', '(deletion_operation_id) WHERE is_deleted = 1'),
    ];
  },
  [COLLECTIONS.bookmarks]: (g) => [
    table(COLLECTIONS.bookmarks, g),
    index(g, 'ix_bm_instance', COLLECTIONS.bookmarks, '(instance_id)'),
    index(g, 'ix_bm_name', COLLECTIONS.bookmarks, '(name, created_at)'),
  ],
  [COLLECTIONS.operations]: (g) => [table(COLLECTIONS.operations, g), index(g, 'ix_op_requested', COLLECTIONS.operations, '(requested_at)')],
  [COLLECTIONS.batches]: (g) => [table(COLLECTIONS.batches, g), index(g, 'ix_batch_open', COLLECTIONS.batches, '(requested_at) WHERE completed_at IS NULL')],
  [COLLECTIONS.audit]: (g) => [table(COLLECTIONS.audit, g)],
};

/** The checkpoints and tombstones tables of a generation. */
export function sharedSchema(generation: number): string {
  const p = rmPrefix(generation);
  return `
CREATE TABLE IF NOT EXISTS ${p}checkpoints (name TEXT PRIMARY KEY, position INTEGER, updated_at TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${p}tombstones (collection TEXT NOT NULL, id TEXT NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID;`;
}

/** One collection's table and indexes in a generation (an unknown collection gets a plain table). */
export function collectionSchema(collection: string, generation: number): string {
  return (TABLE_DDL[collection]?.(generation) ?? [table(collection, generation)]).join('\n');
}

/** Every table of a generation. */
export function readModelSchema(generation: number): string {
  return [sharedSchema(generation), ...Object.values(COLLECTIONS).map((c) => collectionSchema(c, generation))].join('\n');
}
