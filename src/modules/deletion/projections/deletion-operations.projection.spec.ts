import { ServiceEvent } from '../../../shared/event-sourcing/all-events';
import { RecordedEvent } from '../../../shared/event-sourcing/event';
import { eventRecorder } from '../../../../test/support/recorded-events';
import { DeletionOperationDoc } from '../../../shared/read-models/documents';
import { deletionOperationsProjection } from './deletion-operations.projection';

const OPERATION_ID = 'op-1';
const OTHER_OPERATION_ID = 'op-2';
const DEFINITION_ID = 'def-1';
const BATCH_ID = 'batch-1';
const REQUESTED_AT = '2024-05-02T09:00:00.000Z';
const COMPLETED_AT = '2024-05-02T09:00:01.000Z';
const PURGE_AFTER = '2024-05-09T09:00:00.000Z';
const RESTORED_AT = '2024-05-03T09:00:00.000Z';
const UNDONE_AT = '2024-05-03T10:00:00.000Z';
const PURGED_AT = '2024-05-10T00:00:05.000Z';
const FAILED_AT = '2024-05-10T00:00:03.000Z';

const record = eventRecorder({ streamId: `deletionOperation-${OPERATION_ID}`, createdAt: REQUESTED_AT });
const recorded = (event: ServiceEvent, streamId: string, createdAt = REQUESTED_AT) => record(event, { streamId, createdAt });
const operationStream = `deletionOperation-${OPERATION_ID}`;
const batchStream = `hardDeleteBatch-${BATCH_ID}`;

const requested = recorded(
  {
    type: 'DeletionRequested',
    data: {
      operationId: OPERATION_ID,
      kind: 'bulk',
      selection: { ids: ['inst-1', 'inst-2', 'inst-3', 'inst-4'] },
      requestedBy: 'alice',
      requestedAt: REQUESTED_AT,
      reason: 'GDPR request',
      matched: 4,
      requestHash: 'hash-1',
    },
  },
  operationStream,
);
const requestedWithoutReason = recorded(
  {
    type: 'DeletionRequested',
    data: { operationId: OPERATION_ID, kind: 'instance', selection: { instanceId: 'inst-1' }, requestedBy: 'alice', requestedAt: REQUESTED_AT, matched: 1 },
  },
  operationStream,
);
const softDeletedBy = (instanceId: string, operationId = OPERATION_ID) =>
  recorded(
    {
      type: 'WorkflowInstanceSoftDeleted',
      data: { instanceId, definitionId: DEFINITION_ID, operationId, deletedAt: REQUESTED_AT, deletedBy: 'alice', purgeAfter: PURGE_AFTER },
    },
    `workflowInstance-${instanceId}`,
  );
const softDeleted1 = softDeletedBy('inst-1');
const softDeleted2 = softDeletedBy('inst-2');
const softDeleted3 = softDeletedBy('inst-3');
const softDeletedByOther = softDeletedBy('inst-9', OTHER_OPERATION_ID);
const softDeleteCompleted = recorded(
  {
    type: 'DeletionSoftDeleteCompleted',
    data: { operationId: OPERATION_ID, softDeleted: 3, alreadyDeleted: 0, notFound: 1, purgeAfter: PURGE_AFTER, completedAt: COMPLETED_AT },
  },
  operationStream,
);
const restored2 = recorded(
  { type: 'WorkflowInstanceRestored', data: { instanceId: 'inst-2', operationId: OPERATION_ID, restoredAt: RESTORED_AT, restoredBy: 'bob' } },
  'workflowInstance-inst-2',
);
const undoRequested = recorded({ type: 'DeletionUndoRequested', data: { operationId: OPERATION_ID, requestedBy: 'bob', requestedAt: UNDONE_AT } }, operationStream);
const failedWillRetry = recorded(
  {
    type: 'InstancePurgeFailed',
    data: { batchId: BATCH_ID, instanceId: 'inst-3', attempt: 1, error: 'blob store unavailable', willRetry: true, operationId: OPERATION_ID, retryAfter: '2024-05-10T00:01:03.000Z' },
  },
  batchStream,
  FAILED_AT,
);
const failedForGood = recorded(
  {
    type: 'InstancePurgeFailed',
    data: { batchId: BATCH_ID, instanceId: 'inst-3', attempt: 3, error: 'blob store unavailable', willRetry: false, operationId: OPERATION_ID },
  },
  batchStream,
  FAILED_AT,
);
const failedForGoodWithoutOperation = recorded(
  { type: 'InstancePurgeFailed', data: { batchId: BATCH_ID, instanceId: 'inst-3', attempt: 3, error: 'blob store unavailable', willRetry: false } },
  batchStream,
  FAILED_AT,
);
const purged1 = recorded(
  {
    type: 'InstancePurged',
    data: {
      instanceId: 'inst-1',
      definitionId: DEFINITION_ID,
      operationId: OPERATION_ID,
      batchId: BATCH_ID,
      deletedAt: REQUESTED_AT,
      deletedBy: 'alice',
      purgedAt: PURGED_AT,
      blobsDeleted: 0,
      bookmarksDeleted: 0,
      bookmarkIds: [],
    },
  },
  'workflowInstance-inst-1',
);

const project = (events: RecordedEvent[]) => events.reduce<DeletionOperationDoc | null>((doc, e) => deletionOperationsProjection.evolve(doc, e, OPERATION_ID), null);

const justRequested: DeletionOperationDoc = {
  id: OPERATION_ID,
  kind: 'bulk',
  selection: { ids: ['inst-1', 'inst-2', 'inst-3', 'inst-4'] },
  requestedAt: REQUESTED_AT,
  requestedBy: 'alice',
  reason: 'GDPR request',
  matched: 4,
  softDeleted: 0,
  alreadyDeleted: 0,
  notFound: 0,
  restored: 0,
  purged: 0,
  purgeFailed: 0,
  purgeAfter: null,
  softDeleteCompletedAt: null,
  undoneAt: null,
};
const softDeleteDone: DeletionOperationDoc = { ...justRequested, softDeleted: 3, notFound: 1, purgeAfter: PURGE_AFTER, softDeleteCompletedAt: COMPLETED_AT };

describe('deletionOperationsProjection', () => {
  describe('keysOf', () => {
    it('keys operation and instance events by the operation', () => {
      expect([requested, softDeleted1, softDeleteCompleted, restored2, undoRequested, purged1].map((e) => deletionOperationsProjection.keysOf(e))).toEqual([
        [OPERATION_ID],
        [OPERATION_ID],
        [OPERATION_ID],
        [OPERATION_ID],
        [OPERATION_ID],
        [OPERATION_ID],
      ]);
    });

    it('keys a purge failure by the operation only once attempts are exhausted', () => {
      expect(deletionOperationsProjection.keysOf(failedForGood)).toEqual([OPERATION_ID]);
    });

    it('ignores a purge failure that will be retried', () => {
      expect(deletionOperationsProjection.keysOf(failedWillRetry)).toEqual([]);
    });

    it('ignores a final purge failure that names no operation', () => {
      expect(deletionOperationsProjection.keysOf(failedForGoodWithoutOperation)).toEqual([]);
    });
  });

  describe('evolve', () => {
    it('opens a requested operation with nothing done yet', () => {
      expect(project([requested])).toEqual(justRequested);
    });

    it('records a missing reason as null', () => {
      expect(project([requestedWithoutReason])).toEqual({
        ...justRequested,
        kind: 'instance',
        selection: { instanceId: 'inst-1' },
        reason: null,
        matched: 1,
      });
    });

    it('counts soft deletes live, as the instance events arrive', () => {
      expect(project([requested, softDeleted1, softDeleted2])).toEqual({ ...justRequested, softDeleted: 2 });
    });

    it('records the outcome of the soft deletes', () => {
      expect(project([requested, softDeleted1, softDeleted2, softDeleted3, softDeleteCompleted])).toEqual(softDeleteDone);
    });

    it('counts restores', () => {
      expect(project([requested, softDeleted1, softDeleted2, softDeleted3, softDeleteCompleted, restored2])).toEqual({ ...softDeleteDone, restored: 1 });
    });

    it('counts purges', () => {
      expect(project([requested, softDeleted1, softDeleted2, softDeleted3, softDeleteCompleted, purged1])).toEqual({ ...softDeleteDone, purged: 1 });
    });

    it('counts purges that failed for good', () => {
      expect(project([requested, softDeleted1, softDeleted2, softDeleted3, softDeleteCompleted, failedForGood])).toEqual({ ...softDeleteDone, purgeFailed: 1 });
    });

    it('records the undo', () => {
      expect(project([requested, softDeleted1, softDeleted2, softDeleted3, softDeleteCompleted, undoRequested])).toEqual({ ...softDeleteDone, undoneAt: UNDONE_AT });
    });

    it('holds nothing for instance events of an operation it never saw', () => {
      expect(project([softDeletedByOther])).toBeNull();
    });

    // On a rebuild, a purged instance's stream keeps only `InstancePurged`: its
    // `WorkflowInstanceSoftDeleted` is gone, but the operation's `DeletionSoftDeleteCompleted`
    // still says how many instances it soft-deleted.
    it('still counts every soft delete when rebuilt after a purge removed one of them', () => {
      expect(project([requested, softDeleted2, softDeleted3, softDeleteCompleted, purged1])).toEqual({ ...softDeleteDone, purged: 1 });
    });

    // inst-2 was restored from op-1, deleted again by op-2 and purged: its restore event is gone,
    // and the purge marker carries op-1's restore count instead.
    const purgedByOtherAfterRestore = recorded(
      {
        type: 'InstancePurged',
        data: {
          ...(purged1.data as object),
          instanceId: 'inst-2',
          operationId: OTHER_OPERATION_ID,
          restoredByOperation: [{ operationId: OPERATION_ID, restored: 1 }],
        } as never,
      },
      'workflowInstance-inst-2',
      PURGED_AT,
    );

    it('routes a purge to the operations that had restored the instance', () => {
      expect(deletionOperationsProjection.keysOf(purgedByOtherAfterRestore)).toEqual([OTHER_OPERATION_ID, OPERATION_ID]);
    });

    it('keeps the restore count of an operation when a later operation purged the restored instance', () => {
      const live = project([requested, softDeleted1, softDeleted2, softDeleted3, softDeleteCompleted, restored2]);
      expect(live).toMatchObject({ restored: 1, purged: 0 });
      // Live: the restore was counted when it happened; the purge marker changes nothing.
      expect(deletionOperationsProjection.evolve(live, purgedByOtherAfterRestore, OPERATION_ID)).toEqual(live);
      // Rebuilt after the purge: the restore event is gone; the marker restores the count.
      expect(project([requested, softDeleted1, softDeleted3, softDeleteCompleted, purgedByOtherAfterRestore])).toEqual(live);
    });
  });
});
