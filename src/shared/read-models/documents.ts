/**
 * Read-model documents. Projections produce them (pure), adapters store them: as rows with
 * indexed columns in SQLite, as documents in MongoDB. Timestamps are ISO-8601 UTC strings.
 */
export type InstanceStatus = 'Running' | 'Suspended' | 'Completed' | 'Faulted' | 'Cancelled';
export const INSTANCE_STATUSES: readonly InstanceStatus[] = ['Running', 'Suspended', 'Completed', 'Faulted', 'Cancelled'];

export interface DefinitionDoc {
  id: string;
  name: string;
  createdAt: string;
  isDeleted: boolean;
  deletedAt: string | null;
  deletionOperationId: string | null;
}

export interface BlobEntry {
  name: string;
  size: number;
  contentType: string;
  sha256: string;
  attachedAt: string;
}

export interface PurgeState {
  /** Failed attempts so far. */
  attempts: number;
  /** Earliest time of the next attempt after a failure (backoff), or null. */
  retryAfter: string | null;
  /** True when attempts are exhausted: the purge leaves the instance soft-deleted. */
  failed: boolean;
}

export interface InstanceDoc {
  id: string;
  /** Revision of the last event of the instance's own stream this document reflects. */
  revision: number;
  definitionId: string;
  name: string | null;
  correlationId: string | null;
  status: InstanceStatus;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  bookmarkCount: number;
  blobCount: number;
  blobs: BlobEntry[];
  isDeleted: boolean;
  deletedAt: string | null;
  deletedBy: string | null;
  deleteReason: string | null;
  purgeAfter: string | null;
  deletionOperationId: string | null;
  purge: PurgeState;
}

export interface BookmarkDoc {
  id: string;
  instanceId: string;
  name: string;
  createdAt: string;
}

export type DeletionKind = 'instance' | 'bulk' | 'definition';

export interface DeletionOperationDoc {
  id: string;
  kind: DeletionKind;
  selection: Record<string, unknown>;
  requestedAt: string;
  requestedBy: string;
  reason: string | null;
  matched: number;
  softDeleted: number;
  alreadyDeleted: number;
  notFound: number;
  restored: number;
  purged: number;
  purgeFailed: number;
  purgeAfter: string | null;
  /** When every selected instance had been soft-deleted (the request's work was done). */
  softDeleteCompletedAt: string | null;
  undoneAt: string | null;
  /** Closed by recovery after a crash cut its request off: the counts are what it did. */
  interrupted?: boolean;
}

export interface PurgeBatchDoc {
  id: string;
  instanceIds: string[];
  requestedAt: string;
  completedAt: string | null;
  purged: number;
  failed: number;
}

export interface AuditItem {
  type: string;
  at: string;
  actor: string;
  operationId?: string;
  batchId?: string;
  reason?: string;
  attempt?: number;
  error?: string;
  willRetry?: boolean;
}

export interface AuditDoc {
  id: string;
  items: AuditItem[];
}

/** Collections (Mongo) / table suffixes (SQLite), one per projection. */
export const COLLECTIONS = {
  definitions: 'definitions',
  instances: 'instances',
  bookmarks: 'bookmarks',
  operations: 'deletion_operations',
  batches: 'purge_batches',
  audit: 'audit',
} as const;
