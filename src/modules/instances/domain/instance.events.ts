import { DomainEvent } from '../../../shared/event-sourcing/event';

export type WorkflowInstanceCreated = DomainEvent<
  'WorkflowInstanceCreated',
  { instanceId: string; definitionId: string; name: string | null; correlationId: string | null; createdAt: string }
>;
export type BookmarkCreated = DomainEvent<
  'BookmarkCreated',
  { instanceId: string; bookmarkId: string; name: string; payload?: unknown; createdAt: string }
>;
export type BookmarkResumed = DomainEvent<
  'BookmarkResumed',
  { instanceId: string; bookmarkId: string; input?: unknown; resumedAt: string }
>;
export type BlobAttached = DomainEvent<
  'BlobAttached',
  { instanceId: string; name: string; size: number; contentType: string; sha256: string; attachedAt: string }
>;
export type WorkflowInstanceCompleted = DomainEvent<'WorkflowInstanceCompleted', { instanceId: string; completedAt: string }>;
export type WorkflowInstanceFaulted = DomainEvent<'WorkflowInstanceFaulted', { instanceId: string; error: string | null; faultedAt: string }>;
export type WorkflowInstanceCancelled = DomainEvent<'WorkflowInstanceCancelled', { instanceId: string; cancelledAt: string }>;
export type WorkflowInstanceSoftDeleted = DomainEvent<
  'WorkflowInstanceSoftDeleted',
  {
    instanceId: string;
    definitionId: string;
    operationId: string;
    deletedAt: string;
    deletedBy: string;
    reason?: string;
    purgeAfter: string;
  }
>;
export type WorkflowInstanceRestored = DomainEvent<
  'WorkflowInstanceRestored',
  {
    instanceId: string;
    /** The deletion operation that had deleted it. */
    operationId: string;
    restoredAt: string;
    restoredBy: string;
    /** True when restored by undoing the whole operation. */
    byUndo?: boolean;
  }
>;
/**
 * Added to the contract's instance stream: the purge has begun on this instance (appended with the
 * expected revision before anything is deleted). From here on a restore is refused, since blobs
 * or bookmarks may already be gone; a concurrent restore loses the revision race instead.
 */
export type InstancePurgeStarted = DomainEvent<'InstancePurgeStarted', { instanceId: string; batchId: string; startedAt: string }>;
export type InstancePurged = DomainEvent<
  'InstancePurged',
  {
    instanceId: string;
    definitionId: string;
    operationId: string;
    batchId: string;
    deletedAt: string;
    purgedAt: string;
    blobsDeleted: number;
    bookmarksDeleted: number;
    /** Who soft-deleted it (an actor id), so the audit trail survives the purge. */
    deletedBy?: string;
    /** Ids of every bookmark the instance had, so read models drop them even on a replay. */
    bookmarkIds?: string[];
    /**
     * The instance's deletion history (soft deletes, restores, purge start): ids, times and actor
     * ids only, no reasons (free text may hold personal data). The events it summarises are
     * removed with the rest of the stream; this keeps the audit trail rebuildable.
     */
    history?: DeletionHistoryEntry[];
    /**
     * For each earlier operation that restored this instance (a `Restored`/`RestoredByUndo` entry
     * of `history`): that operation's `restored` count when the purge removed the restore events.
     * A rebuild takes the larger of it and what it counted, so operation counts survive the purge.
     */
    restoredByOperation?: { operationId: string; restored: number }[];
  }
>;

export interface DeletionHistoryEntry {
  type: 'SoftDeleted' | 'Restored' | 'RestoredByUndo' | 'PurgeStarted';
  at: string;
  actor: string;
  operationId?: string;
  batchId?: string;
}

export type InstanceEvent =
  | WorkflowInstanceCreated
  | BookmarkCreated
  | BookmarkResumed
  | BlobAttached
  | WorkflowInstanceCompleted
  | WorkflowInstanceFaulted
  | WorkflowInstanceCancelled
  | WorkflowInstanceSoftDeleted
  | WorkflowInstanceRestored
  | InstancePurgeStarted
  | InstancePurged;
