import { spec } from '../../../../test/support/decider-spec';
import { fold } from '../../../shared/event-sourcing/decider';
import { ConflictError, NotFoundError } from '../../../shared/event-sourcing/errors';
import { BookmarkNotFoundError, InstanceCommand, instanceDecider } from './instance.decider';
import {
  BlobAttached,
  BookmarkCreated,
  BookmarkResumed,
  InstancePurged,
  InstancePurgeStarted,
  WorkflowInstanceCancelled,
  WorkflowInstanceCompleted,
  WorkflowInstanceCreated,
  WorkflowInstanceFaulted,
  WorkflowInstanceRestored,
  WorkflowInstanceSoftDeleted,
} from './instance.events';

const INSTANCE_ID = 'inst-1';
const DEFINITION_ID = 'def-1';
const OTHER_DEFINITION_ID = 'def-2';
const BOOKMARK_ID = 'bm-1';
const OPERATION_ID = 'op-1';
const OTHER_OPERATION_ID = 'op-2';
const BATCH_ID = 'batch-1';
const SHA = 'a'.repeat(64);
const OTHER_SHA = 'b'.repeat(64);

const CREATED_AT = '2024-05-01T10:00:00.000Z';
const BOOKMARKED_AT = '2024-05-01T10:05:00.000Z';
const RESUMED_AT = '2024-05-01T10:10:00.000Z';
const ATTACHED_AT = '2024-05-01T10:15:00.000Z';
const FINISHED_AT = '2024-05-01T11:00:00.000Z';
const DELETED_AT = '2024-05-02T09:00:00.000Z';
const PURGE_AFTER = '2024-05-09T09:00:00.000Z';
const RESTORED_AT = '2024-05-03T09:00:00.000Z';
const DELETED_AGAIN_AT = '2024-05-04T09:00:00.000Z';
const PURGE_AFTER_AGAIN = '2024-05-11T09:00:00.000Z';
const PURGE_STARTED_AT = '2024-05-10T00:00:00.000Z';
const PURGED_AT = '2024-05-10T00:00:05.000Z';

const created: WorkflowInstanceCreated = {
  type: 'WorkflowInstanceCreated',
  data: { instanceId: INSTANCE_ID, definitionId: DEFINITION_ID, name: 'Invoice 42', correlationId: 'corr-42', createdAt: CREATED_AT },
};
const bookmarked: BookmarkCreated = {
  type: 'BookmarkCreated',
  data: { instanceId: INSTANCE_ID, bookmarkId: BOOKMARK_ID, name: 'approve', payload: { amount: 42 }, createdAt: BOOKMARKED_AT },
};
const resumed: BookmarkResumed = {
  type: 'BookmarkResumed',
  data: { instanceId: INSTANCE_ID, bookmarkId: BOOKMARK_ID, input: { approved: true }, resumedAt: RESUMED_AT },
};
const blobAttached: BlobAttached = {
  type: 'BlobAttached',
  data: { instanceId: INSTANCE_ID, name: 'invoice.pdf', size: 1024, contentType: 'application/pdf', sha256: SHA, attachedAt: ATTACHED_AT },
};
const completed: WorkflowInstanceCompleted = { type: 'WorkflowInstanceCompleted', data: { instanceId: INSTANCE_ID, completedAt: FINISHED_AT } };
const faulted: WorkflowInstanceFaulted = { type: 'WorkflowInstanceFaulted', data: { instanceId: INSTANCE_ID, error: 'boom', faultedAt: FINISHED_AT } };
const cancelled: WorkflowInstanceCancelled = { type: 'WorkflowInstanceCancelled', data: { instanceId: INSTANCE_ID, cancelledAt: FINISHED_AT } };
const softDeleted: WorkflowInstanceSoftDeleted = {
  type: 'WorkflowInstanceSoftDeleted',
  data: {
    instanceId: INSTANCE_ID,
    definitionId: DEFINITION_ID,
    operationId: OPERATION_ID,
    deletedAt: DELETED_AT,
    deletedBy: 'alice',
    reason: 'GDPR request',
    purgeAfter: PURGE_AFTER,
  },
};
const restored: WorkflowInstanceRestored = {
  type: 'WorkflowInstanceRestored',
  data: { instanceId: INSTANCE_ID, operationId: OPERATION_ID, restoredAt: RESTORED_AT, restoredBy: 'bob' },
};
const softDeletedAgain: WorkflowInstanceSoftDeleted = {
  type: 'WorkflowInstanceSoftDeleted',
  data: {
    instanceId: INSTANCE_ID,
    definitionId: DEFINITION_ID,
    operationId: OTHER_OPERATION_ID,
    deletedAt: DELETED_AGAIN_AT,
    deletedBy: 'carol',
    purgeAfter: PURGE_AFTER_AGAIN,
  },
};
const purgeStarted: InstancePurgeStarted = {
  type: 'InstancePurgeStarted',
  data: { instanceId: INSTANCE_ID, batchId: BATCH_ID, startedAt: PURGE_STARTED_AT },
};
const purged: InstancePurged = {
  type: 'InstancePurged',
  data: {
    instanceId: INSTANCE_ID,
    definitionId: DEFINITION_ID,
    operationId: OPERATION_ID,
    batchId: BATCH_ID,
    deletedAt: DELETED_AT,
    deletedBy: 'alice',
    purgedAt: PURGED_AT,
    blobsDeleted: 1,
    bookmarksDeleted: 1,
    bookmarkIds: [BOOKMARK_ID],
    history: [
      { type: 'SoftDeleted', at: DELETED_AT, actor: 'alice', operationId: OPERATION_ID },
      { type: 'PurgeStarted', at: PURGE_STARTED_AT, actor: 'system:purge', batchId: BATCH_ID },
    ],
  },
};

const createInstance: InstanceCommand = {
  type: 'CreateInstance',
  instanceId: INSTANCE_ID,
  definitionId: DEFINITION_ID,
  name: 'Invoice 42',
  correlationId: 'corr-42',
  definitionLive: true,
  now: CREATED_AT,
};
const createBookmark: InstanceCommand = {
  type: 'CreateBookmark',
  instanceId: INSTANCE_ID,
  bookmarkId: BOOKMARK_ID,
  name: 'approve',
  payload: { amount: 42 },
  now: BOOKMARKED_AT,
};
const resume: InstanceCommand = { type: 'ResumeBookmark', instanceId: INSTANCE_ID, bookmarkId: BOOKMARK_ID, input: { approved: true }, now: RESUMED_AT };
const attachBlob: InstanceCommand = {
  type: 'AttachBlob',
  instanceId: INSTANCE_ID,
  name: 'invoice.pdf',
  size: 1024,
  contentType: 'application/pdf',
  sha256: SHA,
  now: ATTACHED_AT,
};
const complete: InstanceCommand = { type: 'Complete', instanceId: INSTANCE_ID, now: FINISHED_AT };
const fault: InstanceCommand = { type: 'Fault', instanceId: INSTANCE_ID, error: 'boom', now: FINISHED_AT };
const cancel: InstanceCommand = { type: 'Cancel', instanceId: INSTANCE_ID, now: FINISHED_AT };
const softDelete: InstanceCommand = {
  type: 'SoftDelete',
  instanceId: INSTANCE_ID,
  operationId: OPERATION_ID,
  by: 'alice',
  reason: 'GDPR request',
  now: DELETED_AT,
  purgeAfter: PURGE_AFTER,
};
const softDeleteAgain: InstanceCommand = {
  type: 'SoftDelete',
  instanceId: INSTANCE_ID,
  operationId: OTHER_OPERATION_ID,
  by: 'carol',
  now: DELETED_AGAIN_AT,
  purgeAfter: PURGE_AFTER_AGAIN,
};
const restore: InstanceCommand = { type: 'Restore', instanceId: INSTANCE_ID, by: 'bob', now: RESTORED_AT };
const startPurge: InstanceCommand = { type: 'StartPurge', instanceId: INSTANCE_ID, batchId: BATCH_ID, now: PURGE_STARTED_AT };
const purge: InstanceCommand = { type: 'Purge', instanceId: INSTANCE_ID, batchId: BATCH_ID, blobsDeleted: 1, bookmarksDeleted: 1, now: PURGED_AT };

const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the command to be refused');
};
const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** The answer to resuming an unknown bookmark: every other unresumable case must give exactly this. */
const UNKNOWN_BOOKMARK = exactly(messageOf(() => instanceDecider.decide(resume, instanceDecider.initialState)));

describe('instanceDecider', () => {
  describe('CreateInstance', () => {
    it('creates a running instance', () => {
      spec(instanceDecider).given([]).when(createInstance).then([created]);
    });

    it('refuses an instance of a definition that is not live', () => {
      spec(instanceDecider)
        .given([])
        .when({ ...createInstance, definitionLive: false })
        .thenThrows(NotFoundError, /workflow definition def-1 not found/);
    });

    it('treats creating the same instance again as a retry', () => {
      spec(instanceDecider).given([created]).when(createInstance).thenNothing();
    });

    it('refuses an existing id under another definition', () => {
      spec(instanceDecider)
        .given([created])
        .when({ ...createInstance, definitionId: OTHER_DEFINITION_ID })
        .thenThrows(ConflictError, /workflow instance inst-1 already exists/);
    });

    it('refuses to reuse the id of a purged instance', () => {
      spec(instanceDecider).given([purged]).when(createInstance).thenThrows(ConflictError, /already exists/);
    });
  });

  describe('CreateBookmark', () => {
    it('creates a bookmark on a running instance', () => {
      spec(instanceDecider).given([created]).when(createBookmark).then([bookmarked]);
    });

    it('suspends the instance once a bookmark is created', () => {
      expect(fold(instanceDecider, [created, bookmarked]).status).toBe('Suspended');
    });

    it('runs the instance again once its last bookmark is resumed', () => {
      expect(fold(instanceDecider, [created, bookmarked, resumed]).status).toBe('Running');
    });

    it('treats creating the same bookmark again as a retry', () => {
      spec(instanceDecider).given([created, bookmarked]).when(createBookmark).thenNothing();
    });

    it('refuses a bookmark on a finished instance', () => {
      spec(instanceDecider)
        .given([created, completed])
        .when(createBookmark)
        .thenThrows(ConflictError, /cannot create a bookmark on workflow instance inst-1: it is Completed/);
    });

    it('refuses a bookmark on a soft-deleted instance', () => {
      spec(instanceDecider).given([created, softDeleted]).when(createBookmark).thenThrows(ConflictError, /inst-1 is deleted/);
    });

    it('refuses a bookmark on an unknown instance', () => {
      spec(instanceDecider).given([]).when(createBookmark).thenThrows(NotFoundError, /workflow instance inst-1 not found/);
    });
  });

  describe('ResumeBookmark', () => {
    it('resumes an open bookmark', () => {
      spec(instanceDecider).given([created, bookmarked]).when(resume).then([resumed]);
    });

    it('answers bookmark-not-found for a bookmark resumed already', () => {
      spec(instanceDecider).given([created, bookmarked, resumed]).when(resume).thenThrows(BookmarkNotFoundError, UNKNOWN_BOOKMARK);
    });

    it('answers bookmark-not-found for an unknown bookmark, without naming it (one answer for every case)', () => {
      spec(instanceDecider).given([created]).when(resume).thenThrows(BookmarkNotFoundError, /^bookmark not found$/);
    });

    it('answers bookmark-not-found for an unknown instance', () => {
      spec(instanceDecider).given([]).when(resume).thenThrows(BookmarkNotFoundError, UNKNOWN_BOOKMARK);
    });

    it('answers bookmark-not-found for a bookmark of a soft-deleted instance', () => {
      spec(instanceDecider).given([created, bookmarked, softDeleted]).when(resume).thenThrows(BookmarkNotFoundError, UNKNOWN_BOOKMARK);
    });

    it('answers bookmark-not-found for a bookmark of a purged instance', () => {
      spec(instanceDecider).given([purged]).when(resume).thenThrows(BookmarkNotFoundError, UNKNOWN_BOOKMARK);
    });

    it('answers bookmark-not-found for a bookmark of a finished instance', () => {
      spec(instanceDecider).given([created, bookmarked, cancelled]).when(resume).thenThrows(BookmarkNotFoundError, UNKNOWN_BOOKMARK);
    });

    it('answers with a NotFoundError, so every case maps to the same 404', () => {
      spec(instanceDecider).given([created, bookmarked, resumed]).when(resume).thenThrows(NotFoundError, UNKNOWN_BOOKMARK);
    });
  });

  describe('AttachBlob', () => {
    it('attaches a blob', () => {
      spec(instanceDecider).given([created]).when(attachBlob).then([blobAttached]);
    });

    it('treats the same content under the same name as a retry', () => {
      spec(instanceDecider).given([created, blobAttached]).when(attachBlob).thenNothing();
    });

    it('attaches new content under an existing name', () => {
      spec(instanceDecider)
        .given([created, blobAttached])
        .when({ ...attachBlob, sha256: OTHER_SHA })
        .then([{ type: 'BlobAttached', data: { ...blobAttached.data, sha256: OTHER_SHA } }]);
    });

    it('refuses a blob on a soft-deleted instance', () => {
      spec(instanceDecider).given([created, softDeleted]).when(attachBlob).thenThrows(ConflictError, /inst-1 is deleted; restore it first/);
    });
  });

  describe('Complete, Fault, Cancel', () => {
    it('completes a running instance', () => {
      spec(instanceDecider).given([created]).when(complete).then([completed]);
    });

    it('completes a suspended instance', () => {
      spec(instanceDecider).given([created, bookmarked]).when(complete).then([completed]);
    });

    it('refuses to complete twice', () => {
      spec(instanceDecider).given([created, completed]).when(complete).thenThrows(ConflictError, /cannot complete workflow instance inst-1: it is Completed/);
    });

    it('faults a running instance', () => {
      spec(instanceDecider).given([created]).when(fault).then([faulted]);
    });

    it('faults a suspended instance', () => {
      spec(instanceDecider).given([created, bookmarked]).when(fault).then([faulted]);
    });

    it('refuses to fault twice', () => {
      spec(instanceDecider).given([created, faulted]).when(fault).thenThrows(ConflictError, /cannot fault workflow instance inst-1: it is Faulted/);
    });

    it('cancels a running instance', () => {
      spec(instanceDecider).given([created]).when(cancel).then([cancelled]);
    });

    it('cancels a suspended instance', () => {
      spec(instanceDecider).given([created, bookmarked]).when(cancel).then([cancelled]);
    });

    it('refuses to cancel twice', () => {
      spec(instanceDecider).given([created, cancelled]).when(cancel).thenThrows(ConflictError, /cannot cancel workflow instance inst-1: it is Cancelled/);
    });

    it('refuses to cancel a completed instance', () => {
      spec(instanceDecider).given([created, completed]).when(cancel).thenThrows(ConflictError, /it is Completed/);
    });

    it('refuses to complete a soft-deleted instance', () => {
      spec(instanceDecider).given([created, softDeleted]).when(complete).thenThrows(ConflictError, /inst-1 is deleted/);
    });
  });

  describe('SoftDelete', () => {
    it('soft-deletes an instance with the purge time it was given', () => {
      spec(instanceDecider).given([created, bookmarked, blobAttached]).when(softDelete).then([softDeleted]);
    });

    it('soft-deletes a finished instance', () => {
      spec(instanceDecider).given([created, completed]).when(softDelete).then([softDeleted]);
    });

    it('leaves the reason out when none is given', () => {
      spec(instanceDecider)
        .given([created])
        .when({ ...softDelete, reason: undefined })
        .then([
          {
            type: 'WorkflowInstanceSoftDeleted',
            data: { instanceId: INSTANCE_ID, definitionId: DEFINITION_ID, operationId: OPERATION_ID, deletedAt: DELETED_AT, deletedBy: 'alice', purgeAfter: PURGE_AFTER },
          },
        ]);
    });

    it('appends nothing for an instance deleted already', () => {
      spec(instanceDecider).given([created, softDeleted]).when(softDeleteAgain).thenNothing();
    });

    it('refuses an unknown instance', () => {
      spec(instanceDecider).given([]).when(softDelete).thenThrows(NotFoundError, /workflow instance inst-1 not found/);
    });

    it('refuses a purged instance', () => {
      spec(instanceDecider).given([purged]).when(softDelete).thenThrows(NotFoundError, /workflow instance inst-1 not found/);
    });

    it('records the new operation when a restored instance is deleted again by another operation', () => {
      spec(instanceDecider).given([created, softDeleted, restored]).when(softDeleteAgain).then([softDeletedAgain]);
    });
  });

  describe('Restore', () => {
    it('restores a soft-deleted instance, naming the operation that deleted it', () => {
      spec(instanceDecider).given([created, softDeleted]).when(restore).then([restored]);
    });

    it('marks a restore done by undoing the operation', () => {
      spec(instanceDecider)
        .given([created, softDeleted])
        .when({ type: 'Restore', instanceId: INSTANCE_ID, by: 'bob', byUndo: true, onlyOperationId: OPERATION_ID, now: RESTORED_AT })
        .then([{ type: 'WorkflowInstanceRestored', data: { ...restored.data, byUndo: true } }]);
    });

    it('refuses an instance that is not deleted', () => {
      spec(instanceDecider).given([created]).when(restore).thenThrows(ConflictError, /workflow instance inst-1 is not deleted/);
    });

    it('refuses an instance restored already', () => {
      spec(instanceDecider).given([created, softDeleted, restored]).when(restore).thenThrows(ConflictError, /is not deleted/);
    });

    it('refuses an instance whose purge has begun', () => {
      spec(instanceDecider)
        .given([created, softDeleted, purgeStarted])
        .when(restore)
        .thenThrows(ConflictError, /inst-1 is being purged and can no longer be restored/);
    });

    it('refuses a purged instance (the stream keeps only its marker)', () => {
      spec(instanceDecider).given([purged]).when(restore).thenThrows(NotFoundError, /workflow instance inst-1 not found/);
    });

    it('refuses a purged instance (whole history folded)', () => {
      spec(instanceDecider).given([created, softDeleted, purgeStarted, purged]).when(restore).thenThrows(NotFoundError, /workflow instance inst-1 not found/);
    });

    it('refuses an unknown instance', () => {
      spec(instanceDecider).given([]).when(restore).thenThrows(NotFoundError, /workflow instance inst-1 not found/);
    });

    it('refuses an undo of another operation than the one that deleted the instance', () => {
      spec(instanceDecider)
        .given([created, softDeleted, restored, softDeletedAgain])
        .when({ type: 'Restore', instanceId: INSTANCE_ID, by: 'bob', byUndo: true, onlyOperationId: OPERATION_ID, now: RESTORED_AT })
        .thenThrows(ConflictError, /workflow instance inst-1 was deleted by another operation/);
    });
  });

  describe('StartPurge', () => {
    it('marks the purge begun on a soft-deleted instance', () => {
      spec(instanceDecider).given([created, softDeleted]).when(startPurge).then([purgeStarted]);
    });

    it('appends nothing for an instance restored meanwhile', () => {
      spec(instanceDecider).given([created, softDeleted, restored]).when(startPurge).thenNothing();
    });

    it('appends nothing for an instance that is not deleted', () => {
      spec(instanceDecider).given([created]).when(startPurge).thenNothing();
    });

    it('appends nothing when the purge has begun already', () => {
      spec(instanceDecider).given([created, softDeleted, purgeStarted]).when(startPurge).thenNothing();
    });

    it('appends nothing for an unknown instance', () => {
      spec(instanceDecider).given([]).when(startPurge).thenNothing();
    });
  });

  describe('Purge', () => {
    it('purges an instance whose purge has begun, keeping ids and the deleting actor only', () => {
      spec(instanceDecider).given([created, bookmarked, resumed, blobAttached, softDeleted, purgeStarted]).when(purge).then([purged]);
    });

    it('carries the deletion history (soft deletes, restores, purge start) without reasons', () => {
      spec(instanceDecider)
        .given([created, softDeleted, restored, softDeleted, purgeStarted])
        .when(purge)
        .then([
          {
            type: 'InstancePurged',
            data: {
              ...purged.data,
              bookmarkIds: [],
              history: [
                { type: 'SoftDeleted', at: DELETED_AT, actor: 'alice', operationId: OPERATION_ID },
                { type: 'Restored', at: restored.data.restoredAt, actor: restored.data.restoredBy, operationId: OPERATION_ID },
                { type: 'SoftDeleted', at: DELETED_AT, actor: 'alice', operationId: OPERATION_ID },
                { type: 'PurgeStarted', at: PURGE_STARTED_AT, actor: 'system:purge', batchId: BATCH_ID },
              ],
            },
          },
        ]);
    });

    it('lists every bookmark the instance had, resumed or not', () => {
      spec(instanceDecider)
        .given([
          created,
          bookmarked,
          { type: 'BookmarkCreated', data: { instanceId: INSTANCE_ID, bookmarkId: 'bm-2', name: 'review', createdAt: BOOKMARKED_AT } },
          resumed,
          softDeleted,
          purgeStarted,
        ])
        .when({ ...purge, bookmarksDeleted: 2 })
        .then([{ type: 'InstancePurged', data: { ...purged.data, bookmarksDeleted: 2, bookmarkIds: [BOOKMARK_ID, 'bm-2'] } }]);
    });

    it('appends nothing when the purge was not started', () => {
      spec(instanceDecider).given([created, softDeleted]).when(purge).thenNothing();
    });

    it('appends nothing for a purged instance', () => {
      spec(instanceDecider).given([created, softDeleted, purgeStarted, purged]).when(purge).thenNothing();
    });

    it('appends nothing for a purged instance whose stream keeps only the marker', () => {
      spec(instanceDecider).given([purged]).when(purge).thenNothing();
    });

    it('appends nothing for an unknown instance', () => {
      spec(instanceDecider).given([]).when(purge).thenNothing();
    });
  });
});
