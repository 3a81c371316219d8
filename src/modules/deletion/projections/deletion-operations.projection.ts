import { asServiceEvent } from '../../../shared/event-sourcing/all-events';
import { Projection } from '../../../shared/projections/projection';
import { COLLECTIONS, DeletionOperationDoc } from '../../../shared/read-models/documents';

/** Counts move with the instance events that carry the operation id, so progress is live. */
export const deletionOperationsProjection: Projection<DeletionOperationDoc> = {
  name: 'deletion-operations',
  collection: COLLECTIONS.operations,
  keysOf(e) {
    const ev = asServiceEvent(e);
    switch (ev.type) {
      case 'DeletionRequested':
      case 'DeletionSoftDeleteCompleted':
      case 'DeletionUndoRequested':
      case 'WorkflowInstanceSoftDeleted':
      case 'WorkflowInstanceRestored':
        return [ev.data.operationId];
      case 'InstancePurged':
        return [...new Set([ev.data.operationId, ...(ev.data.restoredByOperation ?? []).map((r) => r.operationId)])];
      case 'InstancePurgeFailed':
        return !ev.data.willRetry && ev.data.operationId ? [ev.data.operationId] : [];
      default:
        return [];
    }
  },
  evolve(doc, e, key) {
    const ev = asServiceEvent(e);
    if (ev.type === 'DeletionRequested') {
      const d = ev.data;
      return {
        id: d.operationId,
        kind: d.kind,
        selection: d.selection,
        requestedAt: d.requestedAt,
        requestedBy: d.requestedBy,
        reason: d.reason ?? null,
        matched: d.matched,
        softDeleted: doc?.softDeleted ?? 0,
        alreadyDeleted: 0,
        notFound: 0,
        restored: doc?.restored ?? 0,
        purged: doc?.purged ?? 0,
        purgeFailed: doc?.purgeFailed ?? 0,
        purgeAfter: null,
        softDeleteCompletedAt: null,
        undoneAt: null,
      };
    }
    if (!doc) return null;
    switch (ev.type) {
      case 'DeletionSoftDeleteCompleted':
        return {
          ...doc,
          // On a rebuild after a purge the soft-delete events are gone; the outcome still counts them.
          softDeleted: Math.max(doc.softDeleted, ev.data.softDeleted),
          alreadyDeleted: ev.data.alreadyDeleted,
          notFound: ev.data.notFound,
          purgeAfter: ev.data.purgeAfter,
          softDeleteCompletedAt: ev.data.completedAt,
          ...(ev.data.interrupted ? { interrupted: true } : {}),
        };
      case 'DeletionUndoRequested':
        return { ...doc, undoneAt: ev.data.requestedAt };
      case 'WorkflowInstanceSoftDeleted':
        return { ...doc, softDeleted: doc.softDeleted + 1 };
      case 'WorkflowInstanceRestored':
        return { ...doc, restored: doc.restored + 1 };
      case 'InstancePurged': {
        // The purge removed the instance's restore events; on a rebuild their count comes from here.
        const restored = ev.data.restoredByOperation?.find((r) => r.operationId === key)?.restored ?? 0;
        const next = { ...doc, restored: Math.max(doc.restored, restored) };
        return key === ev.data.operationId ? { ...next, purged: doc.purged + 1 } : next;
      }
      case 'InstancePurgeFailed':
        return { ...doc, purgeFailed: doc.purgeFailed + 1 };
      default:
        return doc;
    }
  },
};
