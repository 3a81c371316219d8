import { ServiceEvent } from '../../../shared/event-sourcing/all-events';
import { RecordedEvent } from '../../../shared/event-sourcing/event';
import { eventRecorder } from '../../../../test/support/recorded-events';
import { AuditDoc } from '../../../shared/read-models/documents';
import { auditProjection } from './audit.projection';

const INSTANCE_ID = 'inst-1';
const DEFINITION_ID = 'def-1';
const OPERATION_ID = 'op-1';
const OTHER_OPERATION_ID = 'op-2';
const BATCH_ID = 'batch-1';
const SECOND_BATCH_ID = 'batch-2';
const CREATED_AT = '2024-05-01T10:00:00.000Z';
const DELETED_AT = '2024-05-02T09:00:00.000Z';
const PURGE_AFTER = '2024-05-09T09:00:00.000Z';
const RESTORED_AT = '2024-05-03T09:00:00.000Z';
const DELETED_AGAIN_AT = '2024-05-04T09:00:00.000Z';
const BATCH_AT = '2024-05-10T00:00:00.000Z';
const FAILED_AT = '2024-05-10T00:00:03.000Z';
const SECOND_BATCH_AT = '2024-05-10T00:05:00.000Z';
const PURGED_AT = '2024-05-10T00:05:05.000Z';

const instanceStream = `workflowInstance-${INSTANCE_ID}`;
const record = eventRecorder({ streamId: `workflowInstance-${INSTANCE_ID}`, createdAt: CREATED_AT });
const recorded = (event: ServiceEvent, streamId: string, actor: string, createdAt = CREATED_AT) => record(event, { streamId, actor, createdAt });

const created = recorded(
  { type: 'WorkflowInstanceCreated', data: { instanceId: INSTANCE_ID, definitionId: DEFINITION_ID, name: null, correlationId: null, createdAt: CREATED_AT } },
  instanceStream,
  'alice',
);
const softDeleted = recorded(
  {
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
  },
  instanceStream,
  'alice',
);
const restored = recorded(
  { type: 'WorkflowInstanceRestored', data: { instanceId: INSTANCE_ID, operationId: OPERATION_ID, restoredAt: RESTORED_AT, restoredBy: 'bob' } },
  instanceStream,
  'bob',
);
const restoredByUndo = recorded(
  { type: 'WorkflowInstanceRestored', data: { instanceId: INSTANCE_ID, operationId: OPERATION_ID, restoredAt: RESTORED_AT, restoredBy: 'bob', byUndo: true } },
  instanceStream,
  'bob',
);
const softDeletedAgain = recorded(
  {
    type: 'WorkflowInstanceSoftDeleted',
    data: { instanceId: INSTANCE_ID, definitionId: DEFINITION_ID, operationId: OTHER_OPERATION_ID, deletedAt: DELETED_AGAIN_AT, deletedBy: 'carol', purgeAfter: PURGE_AFTER },
  },
  instanceStream,
  'carol',
);
const batchRequested = recorded(
  { type: 'HardDeleteBatchRequested', data: { batchId: BATCH_ID, instanceIds: [INSTANCE_ID, 'inst-2'], requestedAt: BATCH_AT } },
  `hardDeleteBatch-${BATCH_ID}`,
  'system:purge',
);
const purgeStarted = recorded(
  { type: 'InstancePurgeStarted', data: { instanceId: INSTANCE_ID, batchId: BATCH_ID, startedAt: BATCH_AT } },
  instanceStream,
  'system:purge',
);
const purgeFailed = recorded(
  {
    type: 'InstancePurgeFailed',
    data: { batchId: BATCH_ID, instanceId: INSTANCE_ID, attempt: 1, error: 'blob store unavailable', willRetry: true, operationId: OPERATION_ID, retryAfter: SECOND_BATCH_AT },
  },
  `hardDeleteBatch-${BATCH_ID}`,
  'system:purge',
  FAILED_AT,
);
const secondBatchRequested = recorded(
  { type: 'HardDeleteBatchRequested', data: { batchId: SECOND_BATCH_ID, instanceIds: [INSTANCE_ID], requestedAt: SECOND_BATCH_AT } },
  `hardDeleteBatch-${SECOND_BATCH_ID}`,
  'system:purge',
);
const purged = recorded(
  {
    type: 'InstancePurged',
    data: {
      instanceId: INSTANCE_ID,
      definitionId: DEFINITION_ID,
      operationId: OPERATION_ID,
      batchId: SECOND_BATCH_ID,
      deletedAt: DELETED_AT,
      deletedBy: 'alice',
      purgedAt: PURGED_AT,
      blobsDeleted: 1,
      bookmarksDeleted: 0,
      bookmarkIds: [],
      history: [
        { type: 'SoftDeleted', at: DELETED_AT, actor: 'alice', operationId: OPERATION_ID },
        { type: 'PurgeStarted', at: BATCH_AT, actor: 'system:purge', batchId: BATCH_ID },
      ],
    },
  },
  instanceStream,
  'system:purge',
);
const purgedWithoutActor = recorded(
  {
    type: 'InstancePurged',
    data: {
      instanceId: INSTANCE_ID,
      definitionId: DEFINITION_ID,
      operationId: OPERATION_ID,
      batchId: SECOND_BATCH_ID,
      deletedAt: DELETED_AT,
      purgedAt: PURGED_AT,
      blobsDeleted: 1,
      bookmarksDeleted: 0,
    },
  },
  instanceStream,
  'system:purge',
);

const project = (events: RecordedEvent[]) => events.reduce<AuditDoc | null>((doc, e) => auditProjection.evolve(doc, e, INSTANCE_ID), null);

const softDeletedItem = { type: 'SoftDeleted', at: DELETED_AT, actor: 'alice', operationId: OPERATION_ID, reason: 'GDPR request' };
const batchRequestedItem = { type: 'PurgeBatchRequested', at: BATCH_AT, actor: 'system:purge', batchId: BATCH_ID };
const purgeStartedItem = { type: 'PurgeStarted', at: BATCH_AT, actor: 'system:purge', batchId: BATCH_ID };
const purgeFailedItem = {
  type: 'PurgeFailed',
  at: FAILED_AT,
  actor: 'system:purge',
  batchId: BATCH_ID,
  attempt: 1,
  error: 'blob store unavailable',
  willRetry: true,
  operationId: OPERATION_ID,
};
const secondBatchRequestedItem = { type: 'PurgeBatchRequested', at: SECOND_BATCH_AT, actor: 'system:purge', batchId: SECOND_BATCH_ID };
const purgedItem = { type: 'Purged', at: PURGED_AT, actor: 'system:purge', operationId: OPERATION_ID, batchId: SECOND_BATCH_ID };
/** What a rebuild can still learn about the soft delete from the purge marker alone. */
const softDeletedFromMarker = { type: 'SoftDeleted', at: DELETED_AT, actor: 'alice', operationId: OPERATION_ID };

describe('auditProjection', () => {
  describe('keysOf', () => {
    it('keys deletion events of an instance by the instance', () => {
      expect([softDeleted, restored, purgeStarted, purgeFailed, purged].map((e) => auditProjection.keysOf(e))).toEqual([
        [INSTANCE_ID],
        [INSTANCE_ID],
        [INSTANCE_ID],
        [INSTANCE_ID],
        [INSTANCE_ID],
      ]);
    });

    it('keys a batch request by every instance it claims', () => {
      expect(auditProjection.keysOf(batchRequested)).toEqual([INSTANCE_ID, 'inst-2']);
    });

    it('ignores the rest of an instance life', () => {
      expect(auditProjection.keysOf(created)).toEqual([]);
    });
  });

  describe('evolve', () => {
    it('records a soft delete with its actor, operation and reason', () => {
      expect(project([softDeleted])).toEqual({ id: INSTANCE_ID, items: [softDeletedItem] });
    });

    it('records a restore', () => {
      expect(project([softDeleted, restored])).toEqual({
        id: INSTANCE_ID,
        items: [softDeletedItem, { type: 'Restored', at: RESTORED_AT, actor: 'bob', operationId: OPERATION_ID }],
      });
    });

    it('records a restore done by undoing the operation', () => {
      expect(project([softDeleted, restoredByUndo])).toEqual({
        id: INSTANCE_ID,
        items: [softDeletedItem, { type: 'RestoredByUndo', at: RESTORED_AT, actor: 'bob', operationId: OPERATION_ID }],
      });
    });

    it('records a second soft delete by another operation without a reason', () => {
      expect(project([softDeleted, restored, softDeletedAgain])).toEqual({
        id: INSTANCE_ID,
        items: [
          softDeletedItem,
          { type: 'Restored', at: RESTORED_AT, actor: 'bob', operationId: OPERATION_ID },
          { type: 'SoftDeleted', at: DELETED_AGAIN_AT, actor: 'carol', operationId: OTHER_OPERATION_ID },
        ],
      });
    });

    it('starts a history for a batch claiming an instance whose deletion events are gone (a rebuild)', () => {
      expect(project([batchRequested])).toEqual({ id: INSTANCE_ID, items: [batchRequestedItem] });
    });

    it('records the batch, the start and the failure of a purge', () => {
      expect(project([softDeleted, batchRequested, purgeStarted, purgeFailed])).toEqual({
        id: INSTANCE_ID,
        items: [softDeletedItem, batchRequestedItem, purgeStartedItem, purgeFailedItem],
      });
    });

    it('once purged, keeps only what survives the purge: the marker history, the batch items, the purge', () => {
      expect(project([softDeleted, batchRequested, purgeStarted, purgeFailed, secondBatchRequested, purged])).toEqual({
        id: INSTANCE_ID,
        items: [softDeletedFromMarker, batchRequestedItem, purgeStartedItem, purgeFailedItem, secondBatchRequestedItem, purgedItem],
      });
    });

    it('rebuilds from the truncated log exactly what the live projection held', () => {
      const live = project([softDeleted, batchRequested, purgeStarted, purgeFailed, secondBatchRequested, purged]);
      expect(project([batchRequested, purgeFailed, secondBatchRequested, purged])).toEqual(live);
    });

    it('names an unknown actor for a marker without history that does not say who deleted', () => {
      expect(project([purgedWithoutActor])).toEqual({
        id: INSTANCE_ID,
        items: [{ ...softDeletedFromMarker, actor: 'unknown' }, purgedItem],
      });
    });
  });
});
