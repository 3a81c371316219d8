import { Decider } from '../../../shared/event-sourcing/decider';
import { ConflictError, NotFoundError } from '../../../shared/event-sourcing/errors';
import { InstanceStatus } from '../../../shared/read-models/documents';
import { DeletionHistoryEntry, InstanceEvent } from './instance.events';

export interface InstanceState {
  id: string | null;
  definitionId: string | null;
  status: InstanceStatus | null;
  /** bookmarkId → resumed? */
  bookmarks: Record<string, { name: string; resumed: boolean }>;
  /** blob name → sha256 of the current version */
  blobs: Record<string, string>;
  deleted: { operationId: string; deletedAt: string; deletedBy: string; purgeAfter: string } | null;
  /** The batch whose purge has begun on this instance. */
  purgeStartedBy: string | null;
  /** Soft deletes, restores and the purge start, oldest first (carried by `InstancePurged`). */
  history: DeletionHistoryEntry[];
  purged: boolean;
}

export type InstanceCommand =
  | { type: 'CreateInstance'; instanceId: string; definitionId: string; name: string | null; correlationId: string | null; definitionLive: boolean; now: string }
  | { type: 'CreateBookmark'; instanceId: string; bookmarkId: string; name: string; payload?: unknown; now: string }
  | { type: 'ResumeBookmark'; instanceId: string; bookmarkId: string; input?: unknown; now: string }
  | { type: 'AttachBlob'; instanceId: string; name: string; size: number; contentType: string; sha256: string; now: string }
  | { type: 'Complete'; instanceId: string; now: string }
  | { type: 'Fault'; instanceId: string; error: string | null; now: string }
  | { type: 'Cancel'; instanceId: string; now: string }
  | { type: 'SoftDelete'; instanceId: string; operationId: string; by: string; reason?: string; now: string; purgeAfter: string }
  | { type: 'Restore'; instanceId: string; by: string; byUndo?: boolean; onlyOperationId?: string; now: string }
  | { type: 'StartPurge'; instanceId: string; batchId: string; now: string }
  | {
      type: 'Purge';
      instanceId: string;
      batchId: string;
      blobsDeleted: number;
      bookmarksDeleted: number;
      /** `restored` counts of the operations that restored it, read from the operation read model. */
      restoredByOperation?: Record<string, number>;
      now: string;
    };

/** The deletion operations that restored an instance, from its history, each once. */
export function restoringOperations(history: InstanceState['history']): string[] {
  return [...new Set(history.filter((h) => (h.type === 'Restored' || h.type === 'RestoredByUndo') && h.operationId).map((h) => h.operationId!))];
}

/** The operations that restored the instance, each with its count as given; none when unknown. */
function restoredCounts(history: InstanceState['history'], counts: Record<string, number> | undefined) {
  const known = restoringOperations(history).filter((id) => counts?.[id] !== undefined);
  return known.length ? { restoredByOperation: known.map((operationId) => ({ operationId, restored: counts![operationId] })) } : {};
}

/** The single answer for every bookmark that cannot be resumed, so callers learn nothing more. */
export class BookmarkNotFoundError extends NotFoundError {
  // No id in the message: every unresumable bookmark gets a byte-identical answer.
  constructor() {
    super('bookmark not found');
  }
}

const FINISHED: readonly InstanceStatus[] = ['Completed', 'Faulted', 'Cancelled'];
export const isFinished = (s: InstanceStatus | null) => s !== null && FINISHED.includes(s);

const activeBookmarks = (s: InstanceState) => Object.values(s.bookmarks).filter((b) => !b.resumed).length;

function requireLive(state: InstanceState, id: string): asserts state is InstanceState & { id: string; status: InstanceStatus } {
  if (!state.id || state.purged) throw new NotFoundError(`workflow instance ${id} not found`);
  if (state.deleted) throw new ConflictError(`workflow instance ${id} is deleted; restore it first`);
}

function requireRunning(state: InstanceState, id: string, action: string) {
  requireLive(state, id);
  if (isFinished(state.status)) throw new ConflictError(`cannot ${action} workflow instance ${id}: it is ${state.status}`);
}

export const instanceDecider: Decider<InstanceCommand, InstanceState, InstanceEvent> = {
  initialState: { id: null, definitionId: null, status: null, bookmarks: {}, blobs: {}, deleted: null, purgeStartedBy: null, history: [], purged: false },

  evolve(state, event) {
    switch (event.type) {
      case 'WorkflowInstanceCreated':
        return { ...state, id: event.data.instanceId, definitionId: event.data.definitionId, status: 'Running' };
      case 'BookmarkCreated':
        return { ...state, status: 'Suspended', bookmarks: { ...state.bookmarks, [event.data.bookmarkId]: { name: event.data.name, resumed: false } } };
      case 'BookmarkResumed': {
        const bookmarks = { ...state.bookmarks, [event.data.bookmarkId]: { ...state.bookmarks[event.data.bookmarkId], resumed: true } };
        const next = { ...state, bookmarks };
        return { ...next, status: activeBookmarks(next) > 0 ? 'Suspended' : 'Running' };
      }
      case 'BlobAttached':
        return { ...state, blobs: { ...state.blobs, [event.data.name]: event.data.sha256 } };
      case 'WorkflowInstanceCompleted':
        return { ...state, status: 'Completed' };
      case 'WorkflowInstanceFaulted':
        return { ...state, status: 'Faulted' };
      case 'WorkflowInstanceCancelled':
        return { ...state, status: 'Cancelled' };
      case 'WorkflowInstanceSoftDeleted':
        return {
          ...state,
          // After a purge only the marker survives; keep what the soft delete said.
          id: state.id ?? event.data.instanceId,
          definitionId: state.definitionId ?? event.data.definitionId,
          deleted: {
            operationId: event.data.operationId,
            deletedAt: event.data.deletedAt,
            deletedBy: event.data.deletedBy,
            purgeAfter: event.data.purgeAfter,
          },
          history: [...state.history, { type: 'SoftDeleted', at: event.data.deletedAt, actor: event.data.deletedBy, operationId: event.data.operationId }],
        };
      case 'WorkflowInstanceRestored':
        return {
          ...state,
          deleted: null,
          history: [
            ...state.history,
            { type: event.data.byUndo ? 'RestoredByUndo' : 'Restored', at: event.data.restoredAt, actor: event.data.restoredBy, operationId: event.data.operationId },
          ],
        };
      case 'InstancePurgeStarted':
        return {
          ...state,
          purgeStartedBy: event.data.batchId,
          history: [...state.history, { type: 'PurgeStarted', at: event.data.startedAt, actor: 'system:purge', batchId: event.data.batchId }],
        };
      case 'InstancePurged':
        return { ...state, id: event.data.instanceId, definitionId: event.data.definitionId, purged: true };
    }
  },

  decide(command, state) {
    const id = command.instanceId;
    switch (command.type) {
      case 'CreateInstance':
        if (state.id) {
          if (state.definitionId === command.definitionId && !state.purged) return [];
          throw new ConflictError(`workflow instance ${id} already exists`);
        }
        if (!command.definitionLive) throw new NotFoundError(`workflow definition ${command.definitionId} not found`);
        return [
          {
            type: 'WorkflowInstanceCreated',
            data: { instanceId: id, definitionId: command.definitionId, name: command.name, correlationId: command.correlationId, createdAt: command.now },
          },
        ];

      case 'CreateBookmark':
        requireRunning(state, id, 'create a bookmark on');
        if (state.bookmarks[command.bookmarkId]) return [];
        return [
          {
            type: 'BookmarkCreated',
            data: {
              instanceId: id,
              bookmarkId: command.bookmarkId,
              name: command.name,
              ...(command.payload !== undefined ? { payload: command.payload } : {}),
              createdAt: command.now,
            },
          },
        ];

      case 'ResumeBookmark': {
        const b = state.bookmarks[command.bookmarkId];
        // Unknown, already resumed, deleted, purged or finished: one answer (contract §4).
        if (!state.id || state.purged || state.deleted || !b || b.resumed || isFinished(state.status))
          throw new BookmarkNotFoundError();
        return [
          {
            type: 'BookmarkResumed',
            data: { instanceId: id, bookmarkId: command.bookmarkId, ...(command.input !== undefined ? { input: command.input } : {}), resumedAt: command.now },
          },
        ];
      }

      case 'AttachBlob':
        requireLive(state, id);
        if (state.blobs[command.name] === command.sha256) return [];
        return [
          {
            type: 'BlobAttached',
            data: { instanceId: id, name: command.name, size: command.size, contentType: command.contentType, sha256: command.sha256, attachedAt: command.now },
          },
        ];

      case 'Complete':
        requireRunning(state, id, 'complete');
        return [{ type: 'WorkflowInstanceCompleted', data: { instanceId: id, completedAt: command.now } }];
      case 'Fault':
        requireRunning(state, id, 'fault');
        return [{ type: 'WorkflowInstanceFaulted', data: { instanceId: id, error: command.error, faultedAt: command.now } }];
      case 'Cancel':
        requireRunning(state, id, 'cancel');
        return [{ type: 'WorkflowInstanceCancelled', data: { instanceId: id, cancelledAt: command.now } }];

      case 'SoftDelete':
        if (!state.id || state.purged) throw new NotFoundError(`workflow instance ${id} not found`);
        if (state.deleted) return [];
        return [
          {
            type: 'WorkflowInstanceSoftDeleted',
            data: {
              instanceId: id,
              definitionId: state.definitionId!,
              operationId: command.operationId,
              deletedAt: command.now,
              deletedBy: command.by,
              ...(command.reason ? { reason: command.reason } : {}),
              purgeAfter: command.purgeAfter,
            },
          },
        ];

      case 'Restore':
        if (!state.id || state.purged) throw new NotFoundError(`workflow instance ${id} not found`);
        if (!state.deleted) throw new ConflictError(`workflow instance ${id} is not deleted`);
        if (command.onlyOperationId && state.deleted.operationId !== command.onlyOperationId)
          throw new ConflictError(`workflow instance ${id} was deleted by another operation`);
        if (state.purgeStartedBy) throw new ConflictError(`workflow instance ${id} is being purged and can no longer be restored`);
        return [
          {
            type: 'WorkflowInstanceRestored',
            data: {
              instanceId: id,
              operationId: state.deleted.operationId,
              restoredAt: command.now,
              restoredBy: command.by,
              ...(command.byUndo ? { byUndo: true } : {}),
            },
          },
        ];

      case 'StartPurge':
        // The purge re-checks under its lease: only a still-deleted, unpurged instance is claimed.
        if (!state.id || state.purged || !state.deleted || state.purgeStartedBy) return [];
        return [{ type: 'InstancePurgeStarted', data: { instanceId: id, batchId: command.batchId, startedAt: command.now } }];

      case 'Purge':
        if (!state.id || state.purged || !state.deleted || !state.purgeStartedBy) return [];
        return [
          {
            type: 'InstancePurged',
            data: {
              instanceId: id,
              definitionId: state.definitionId!,
              operationId: state.deleted.operationId,
              batchId: command.batchId,
              deletedAt: state.deleted.deletedAt,
              deletedBy: state.deleted.deletedBy,
              purgedAt: command.now,
              blobsDeleted: command.blobsDeleted,
              bookmarksDeleted: command.bookmarksDeleted,
              bookmarkIds: Object.keys(state.bookmarks),
              history: state.history,
              ...restoredCounts(state.history, command.restoredByOperation),
            },
          },
        ];
    }
  },
};
