import { COLLECTIONS } from '../documents';

/** Table of a read-model collection in the embedded store. */
export const rmTable = (collection: string) => `rm_${collection}`;

const j = (path: string) => `json_extract(doc, '$.${path}')`;
const col = (name: string, path: string) => `${name} GENERATED ALWAYS AS (${j(path)}) VIRTUAL`;

/**
 * Every collection is `(id, pos, doc JSON)`; the columns queries filter or sort on are generated
 * from the JSON and indexed. Partial indexes on `is_deleted = 0` keep the default (live) queries
 * as fast with 90% soft-deleted rows as with none: queries must say `is_deleted = 0` literally.
 */
export const READ_MODEL_SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_checkpoints (name TEXT PRIMARY KEY, position INTEGER, updated_at TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rm_tombstones (collection TEXT NOT NULL, id TEXT NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS ${rmTable(COLLECTIONS.definitions)} (
  id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL,
  ${col('is_deleted', 'isDeleted')}, ${col('name', 'name')});

CREATE TABLE IF NOT EXISTS ${rmTable(COLLECTIONS.instances)} (
  id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL,
  ${col('is_deleted', 'isDeleted')}, ${col('status', 'status')}, ${col('definition_id', 'definitionId')},
  ${col('correlation_id', 'correlationId')}, ${col('name', 'name')}, ${col('created_at', 'createdAt')},
  ${col('updated_at', 'updatedAt')}, ${col('purge_after', 'purgeAfter')}, ${col('purge_batch', 'purge.batchId')},
  ${col('purge_failed', 'purge.failed')}, ${col('purge_retry_after', 'purge.retryAfter')},
  ${col('deletion_operation_id', 'deletionOperationId')});
CREATE INDEX IF NOT EXISTS ix_inst_live_created ON ${rmTable(COLLECTIONS.instances)} (created_at, id) WHERE is_deleted = 0;
CREATE INDEX IF NOT EXISTS ix_inst_live_updated ON ${rmTable(COLLECTIONS.instances)} (updated_at, id) WHERE is_deleted = 0;
CREATE INDEX IF NOT EXISTS ix_inst_live_status ON ${rmTable(COLLECTIONS.instances)} (status, created_at, id) WHERE is_deleted = 0;
CREATE INDEX IF NOT EXISTS ix_inst_live_def ON ${rmTable(COLLECTIONS.instances)} (definition_id, created_at, id) WHERE is_deleted = 0;
CREATE INDEX IF NOT EXISTS ix_inst_live_corr ON ${rmTable(COLLECTIONS.instances)} (correlation_id) WHERE is_deleted = 0;
CREATE INDEX IF NOT EXISTS ix_inst_deleted_created ON ${rmTable(COLLECTIONS.instances)} (created_at, id) WHERE is_deleted = 1;
CREATE INDEX IF NOT EXISTS ix_inst_all_created ON ${rmTable(COLLECTIONS.instances)} (created_at, id);
CREATE INDEX IF NOT EXISTS ix_inst_all_updated ON ${rmTable(COLLECTIONS.instances)} (updated_at, id);
CREATE INDEX IF NOT EXISTS ix_inst_def ON ${rmTable(COLLECTIONS.instances)} (definition_id);
CREATE INDEX IF NOT EXISTS ix_inst_purge ON ${rmTable(COLLECTIONS.instances)} (purge_after) WHERE is_deleted = 1;
CREATE INDEX IF NOT EXISTS ix_inst_op ON ${rmTable(COLLECTIONS.instances)} (deletion_operation_id) WHERE is_deleted = 1;

CREATE TABLE IF NOT EXISTS ${rmTable(COLLECTIONS.bookmarks)} (
  id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL,
  ${col('instance_id', 'instanceId')}, ${col('name', 'name')}, ${col('created_at', 'createdAt')});
CREATE INDEX IF NOT EXISTS ix_bm_instance ON ${rmTable(COLLECTIONS.bookmarks)} (instance_id);
CREATE INDEX IF NOT EXISTS ix_bm_name ON ${rmTable(COLLECTIONS.bookmarks)} (name, created_at);

CREATE TABLE IF NOT EXISTS ${rmTable(COLLECTIONS.operations)} (
  id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL,
  ${col('requested_at', 'requestedAt')}, ${col('requested_by', 'requestedBy')});
CREATE INDEX IF NOT EXISTS ix_op_requested ON ${rmTable(COLLECTIONS.operations)} (requested_at);

CREATE TABLE IF NOT EXISTS ${rmTable(COLLECTIONS.batches)} (
  id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL,
  ${col('completed_at', 'completedAt')}, ${col('requested_at', 'requestedAt')});
CREATE INDEX IF NOT EXISTS ix_batch_open ON ${rmTable(COLLECTIONS.batches)} (requested_at) WHERE completed_at IS NULL;

CREATE TABLE IF NOT EXISTS ${rmTable(COLLECTIONS.audit)} (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL);
`;
