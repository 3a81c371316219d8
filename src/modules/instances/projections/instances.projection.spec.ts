import { ServiceEvent } from '../../../shared/event-sourcing/all-events';
import { RecordedEvent } from '../../../shared/event-sourcing/event';
import { eventRecorder } from '../../../../test/support/recorded-events';
import { InstanceDoc } from '../../../shared/read-models/documents';
import { instancesProjection } from './instances.projection';

const INSTANCE_ID = 'inst-1';
const DEFINITION_ID = 'def-1';
const OPERATION_ID = 'op-1';
const BATCH_ID = 'batch-1';
const SHA = 'a'.repeat(64);
const OTHER_SHA = 'b'.repeat(64);

const CREATED_AT = '2024-05-01T10:00:00.000Z';
const BOOKMARKED_AT = '2024-05-01T10:05:00.000Z';
const SECOND_BOOKMARKED_AT = '2024-05-01T10:06:00.000Z';
const RESUMED_AT = '2024-05-01T10:10:00.000Z';
const ATTACHED_AT = '2024-05-01T10:15:00.000Z';
const REATTACHED_AT = '2024-05-01T10:20:00.000Z';
const FINISHED_AT = '2024-05-01T11:00:00.000Z';
const DELETED_AT = '2024-05-02T09:00:00.000Z';
const PURGE_AFTER = '2024-05-09T09:00:00.000Z';
const RESTORED_AT = '2024-05-03T09:00:00.000Z';
const BATCH_AT = '2024-05-10T00:00:00.000Z';
const FAILED_AT = '2024-05-10T00:00:03.000Z';
const RETRY_AFTER = '2024-05-10T00:01:03.000Z';
const PURGED_AT = '2024-05-10T00:00:05.000Z';

const record = eventRecorder({ streamId: `workflowInstance-${INSTANCE_ID}`, createdAt: CREATED_AT });
const recorded = (event: ServiceEvent, streamId = `workflowInstance-${INSTANCE_ID}`, createdAt = CREATED_AT) => record(event, { streamId, createdAt });

const created = recorded({
  type: 'WorkflowInstanceCreated',
  data: { instanceId: INSTANCE_ID, definitionId: DEFINITION_ID, name: 'Invoice 42', correlationId: 'corr-42', createdAt: CREATED_AT },
});
const bookmarked = recorded({ type: 'BookmarkCreated', data: { instanceId: INSTANCE_ID, bookmarkId: 'bm-1', name: 'approve', createdAt: BOOKMARKED_AT } });
const secondBookmarked = recorded({ type: 'BookmarkCreated', data: { instanceId: INSTANCE_ID, bookmarkId: 'bm-2', name: 'review', createdAt: SECOND_BOOKMARKED_AT } });
const resumed = recorded({ type: 'BookmarkResumed', data: { instanceId: INSTANCE_ID, bookmarkId: 'bm-1', resumedAt: RESUMED_AT } });
const invoiceAttached = recorded({
  type: 'BlobAttached',
  data: { instanceId: INSTANCE_ID, name: 'invoice.pdf', size: 1024, contentType: 'application/pdf', sha256: SHA, attachedAt: ATTACHED_AT },
});
const attachmentAttached = recorded({
  type: 'BlobAttached',
  data: { instanceId: INSTANCE_ID, name: 'attachment.txt', size: 10, contentType: 'text/plain', sha256: SHA, attachedAt: ATTACHED_AT },
});
const invoiceReplaced = recorded({
  type: 'BlobAttached',
  data: { instanceId: INSTANCE_ID, name: 'invoice.pdf', size: 2048, contentType: 'application/pdf', sha256: OTHER_SHA, attachedAt: REATTACHED_AT },
});
const completed = recorded({ type: 'WorkflowInstanceCompleted', data: { instanceId: INSTANCE_ID, completedAt: FINISHED_AT } });
const faulted = recorded({ type: 'WorkflowInstanceFaulted', data: { instanceId: INSTANCE_ID, error: 'boom', faultedAt: FINISHED_AT } });
const cancelled = recorded({ type: 'WorkflowInstanceCancelled', data: { instanceId: INSTANCE_ID, cancelledAt: FINISHED_AT } });
const softDeleted = recorded({
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
});
const restored = recorded({
  type: 'WorkflowInstanceRestored',
  data: { instanceId: INSTANCE_ID, operationId: OPERATION_ID, restoredAt: RESTORED_AT, restoredBy: 'bob' },
});
const batchRequested = recorded(
  { type: 'HardDeleteBatchRequested', data: { batchId: BATCH_ID, instanceIds: [INSTANCE_ID, 'inst-2'], requestedAt: BATCH_AT } },
  `hardDeleteBatch-${BATCH_ID}`,
);
const purgeStarted = recorded({ type: 'InstancePurgeStarted', data: { instanceId: INSTANCE_ID, batchId: BATCH_ID, startedAt: BATCH_AT } });
const failedWillRetry = recorded(
  {
    type: 'InstancePurgeFailed',
    data: { batchId: BATCH_ID, instanceId: INSTANCE_ID, attempt: 1, error: 'blob store unavailable', willRetry: true, operationId: OPERATION_ID, retryAfter: RETRY_AFTER },
  },
  `hardDeleteBatch-${BATCH_ID}`,
  FAILED_AT,
);
const failedForGood = recorded(
  {
    type: 'InstancePurgeFailed',
    data: { batchId: BATCH_ID, instanceId: INSTANCE_ID, attempt: 3, error: 'blob store unavailable', willRetry: false, operationId: OPERATION_ID },
  },
  `hardDeleteBatch-${BATCH_ID}`,
  FAILED_AT,
);
const purged = recorded({
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
    bookmarkIds: ['bm-1'],
  },
});
const definitionCreated = recorded(
  { type: 'WorkflowDefinitionCreated', data: { definitionId: DEFINITION_ID, name: 'Invoice approval', createdAt: CREATED_AT } },
  `workflowDefinition-${DEFINITION_ID}`,
);
const deletionRequested = recorded(
  {
    type: 'DeletionRequested',
    data: { operationId: OPERATION_ID, kind: 'instance', selection: { instanceId: INSTANCE_ID }, requestedBy: 'alice', requestedAt: DELETED_AT, matched: 1 },
  },
  `deletionOperation-${OPERATION_ID}`,
);

const project = (events: RecordedEvent[]) => events.reduce<InstanceDoc | null>((doc, e) => instancesProjection.evolve(doc, e, INSTANCE_ID), null);

const live: InstanceDoc = {
  id: INSTANCE_ID,
  revision: 0,
  definitionId: DEFINITION_ID,
  name: 'Invoice 42',
  correlationId: 'corr-42',
  status: 'Running',
  createdAt: CREATED_AT,
  updatedAt: CREATED_AT,
  finishedAt: null,
  bookmarkCount: 0,
  blobCount: 0,
  blobs: [],
  isDeleted: false,
  deletedAt: null,
  deletedBy: null,
  deleteReason: null,
  purgeAfter: null,
  deletionOperationId: null,
  purge: { attempts: 0, retryAfter: null, failed: false },
};
const invoiceBlob = { name: 'invoice.pdf', size: 1024, contentType: 'application/pdf', sha256: SHA, attachedAt: ATTACHED_AT };
const deletion = {
  isDeleted: true,
  deletedAt: DELETED_AT,
  deletedBy: 'alice',
  deleteReason: 'GDPR request',
  purgeAfter: PURGE_AFTER,
  deletionOperationId: OPERATION_ID,
};

describe('instancesProjection', () => {
  describe('keysOf', () => {
    it('keys an instance event by its instance', () => {
      expect(instancesProjection.keysOf(bookmarked)).toEqual([INSTANCE_ID]);
    });

    it('ignores batch requests (the purge lease, not the read model, keeps batches apart)', () => {
      expect(instancesProjection.keysOf(batchRequested)).toEqual([]);
    });

    it('ignores definition events', () => {
      expect(instancesProjection.keysOf(definitionCreated)).toEqual([]);
    });

    it('ignores deletion-operation events', () => {
      expect(instancesProjection.keysOf(deletionRequested)).toEqual([]);
    });
  });

  describe('evolve', () => {
    it('creates a running instance', () => {
      expect(project([created])).toEqual(live);
    });

    it('suspends the instance on a bookmark', () => {
      expect(project([created, bookmarked])).toEqual({ ...live, revision: bookmarked.revision, status: 'Suspended', bookmarkCount: 1, updatedAt: BOOKMARKED_AT });
    });

    it('runs the instance again when its last open bookmark is resumed', () => {
      expect(project([created, bookmarked, resumed])).toEqual({ ...live, revision: resumed.revision, status: 'Running', bookmarkCount: 0, updatedAt: RESUMED_AT });
    });

    it('stays suspended while another bookmark is open', () => {
      expect(project([created, bookmarked, secondBookmarked, resumed])).toEqual({ ...live, revision: resumed.revision, status: 'Suspended', bookmarkCount: 1, updatedAt: RESUMED_AT });
    });

    it('lists attached blobs by name, without the instance id', () => {
      expect(project([created, invoiceAttached, attachmentAttached])).toEqual({
        ...live,
        revision: attachmentAttached.revision,
        blobs: [{ name: 'attachment.txt', size: 10, contentType: 'text/plain', sha256: SHA, attachedAt: ATTACHED_AT }, invoiceBlob],
        blobCount: 2,
        updatedAt: ATTACHED_AT,
      });
    });

    it('replaces a blob attached again under the same name', () => {
      expect(project([created, invoiceAttached, invoiceReplaced])).toEqual({
        ...live,
        revision: invoiceReplaced.revision,
        blobs: [{ name: 'invoice.pdf', size: 2048, contentType: 'application/pdf', sha256: OTHER_SHA, attachedAt: REATTACHED_AT }],
        blobCount: 1,
        updatedAt: REATTACHED_AT,
      });
    });

    it('completes the instance', () => {
      expect(project([created, completed])).toEqual({ ...live, revision: completed.revision, status: 'Completed', finishedAt: FINISHED_AT, updatedAt: FINISHED_AT });
    });

    it('faults the instance', () => {
      expect(project([created, faulted])).toEqual({ ...live, revision: faulted.revision, status: 'Faulted', finishedAt: FINISHED_AT, updatedAt: FINISHED_AT });
    });

    it('cancels the instance', () => {
      expect(project([created, cancelled])).toEqual({ ...live, revision: cancelled.revision, status: 'Cancelled', finishedAt: FINISHED_AT, updatedAt: FINISHED_AT });
    });

    it('marks a soft-deleted instance, keeping everything else', () => {
      expect(project([created, bookmarked, invoiceAttached, softDeleted])).toEqual({
        ...live,
        revision: softDeleted.revision,
        status: 'Suspended',
        bookmarkCount: 1,
        blobs: [invoiceBlob],
        blobCount: 1,
        updatedAt: ATTACHED_AT,
        ...deletion,
      });
    });

    it('restores the instance exactly as it was before the delete', () => {
      expect(project([created, bookmarked, invoiceAttached, softDeleted, restored])).toEqual({
        ...live,
        revision: restored.revision,
        status: 'Suspended',
        bookmarkCount: 1,
        blobs: [invoiceBlob],
        blobCount: 1,
        updatedAt: ATTACHED_AT,
      });
    });

    it('ignores a batch claiming an instance that is not deleted', () => {
      const before = project([created]);
      expect(instancesProjection.evolve(before, batchRequested, INSTANCE_ID)).toBe(before);
    });

    it('leaves the document as it is when the purge starts, revision included', () => {
      const before = project([created, softDeleted]);
      expect(instancesProjection.evolve(before, purgeStarted, INSTANCE_ID)).toBe(before);
    });

    it('records a failure that will be retried, with its backoff', () => {
      expect(project([created, softDeleted, batchRequested, failedWillRetry])).toEqual({
        ...live,
        revision: softDeleted.revision,
        ...deletion,
        purge: { attempts: 1, retryAfter: RETRY_AFTER, failed: false },
      });
    });

    it('marks the purge failed for good once attempts are exhausted', () => {
      expect(project([created, softDeleted, batchRequested, failedForGood])).toEqual({
        ...live,
        revision: softDeleted.revision,
        ...deletion,
        purge: { attempts: 3, retryAfter: null, failed: true },
      });
    });

    it('removes a purged instance', () => {
      expect(project([created, softDeleted, batchRequested, purgeStarted, purged])).toBeNull();
    });

    it('holds nothing for an instance whose stream keeps only the purge marker', () => {
      expect(project([batchRequested, failedWillRetry, purged])).toBeNull();
    });
  });
});
