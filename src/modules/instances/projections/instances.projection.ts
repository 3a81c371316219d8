import { asServiceEvent } from '../../../shared/event-sourcing/all-events';
import { Projection } from '../../../shared/projections/projection';
import { COLLECTIONS, InstanceDoc, PurgeState } from '../../../shared/read-models/documents';

const NO_PURGE: PurgeState = { attempts: 0, retryAfter: null, failed: false };

const DELETION_CLEARED = {
  isDeleted: false,
  deletedAt: null,
  deletedBy: null,
  deleteReason: null,
  purgeAfter: null,
  deletionOperationId: null,
  purge: NO_PURGE,
};

export const instancesProjection: Projection<InstanceDoc> = {
  name: 'instances',
  collection: COLLECTIONS.instances,
  keysOf(e) {
    const ev = asServiceEvent(e);
    switch (ev.type) {
      case 'HardDeleteBatchRequested':
      case 'HardDeleteBatchCompleted':
      case 'WorkflowDefinitionCreated':
      case 'WorkflowDefinitionDeleted':
      case 'DeletionRequested':
      case 'DeletionSoftDeleteCompleted':
      case 'DeletionUndoRequested':
        return [];
      default:
        return [ev.data.instanceId];
    }
  },
  evolve(doc, e) {
    const ev = asServiceEvent(e);
    if (ev.type === 'WorkflowInstanceCreated') {
      const d = ev.data;
      return {
        id: d.instanceId,
        revision: e.revision,
        definitionId: d.definitionId,
        name: d.name,
        correlationId: d.correlationId,
        status: 'Running',
        createdAt: d.createdAt,
        updatedAt: d.createdAt,
        finishedAt: null,
        bookmarkCount: 0,
        blobCount: 0,
        blobs: [],
        ...DELETION_CLEARED,
      };
    }
    if (!doc) return null; // an event of an instance the model no longer holds (purged): nothing to do
    const next = evolveExisting(doc, ev);
    // Events of the instance's own stream that change the document move its revision. One that
    // changes nothing (the purge's start marker) leaves it behind: a stale revision only costs a
    // command a conflict and a re-read, never a wrong decision.
    return next !== doc && next && e.streamId.startsWith('workflowInstance-') ? { ...next, revision: e.revision } : next;
  },
};

function evolveExisting(doc: InstanceDoc, ev: ReturnType<typeof asServiceEvent>): InstanceDoc | null {
  switch (ev.type) {
    case 'BookmarkCreated':
      return { ...doc, status: 'Suspended', bookmarkCount: doc.bookmarkCount + 1, updatedAt: ev.data.createdAt };
    case 'BookmarkResumed': {
      const bookmarkCount = Math.max(0, doc.bookmarkCount - 1);
      return { ...doc, bookmarkCount, status: bookmarkCount > 0 ? 'Suspended' : 'Running', updatedAt: ev.data.resumedAt };
    }
    case 'BlobAttached': {
      const { instanceId: _, ...blob } = ev.data;
      const blobs = [...doc.blobs.filter((b) => b.name !== blob.name), blob].sort((a, b) => a.name.localeCompare(b.name));
      return { ...doc, blobs, blobCount: blobs.length, updatedAt: ev.data.attachedAt };
    }
    case 'WorkflowInstanceCompleted':
      return { ...doc, status: 'Completed', finishedAt: ev.data.completedAt, updatedAt: ev.data.completedAt };
    case 'WorkflowInstanceFaulted':
      return { ...doc, status: 'Faulted', finishedAt: ev.data.faultedAt, updatedAt: ev.data.faultedAt };
    case 'WorkflowInstanceCancelled':
      return { ...doc, status: 'Cancelled', finishedAt: ev.data.cancelledAt, updatedAt: ev.data.cancelledAt };
    case 'WorkflowInstanceSoftDeleted':
      return {
        ...doc,
        isDeleted: true,
        deletedAt: ev.data.deletedAt,
        deletedBy: ev.data.deletedBy,
        deleteReason: ev.data.reason ?? null,
        purgeAfter: ev.data.purgeAfter,
        deletionOperationId: ev.data.operationId,
        purge: NO_PURGE,
      };
    case 'WorkflowInstanceRestored':
      return { ...doc, ...DELETION_CLEARED };
    case 'InstancePurgeFailed':
      return {
        ...doc,
        purge: { attempts: ev.data.attempt, retryAfter: ev.data.retryAfter ?? null, failed: !ev.data.willRetry },
      };
    case 'InstancePurged':
      return null;
    default:
      return doc;
  }
}
