import { ServiceEvent } from '../../../shared/event-sourcing/all-events';
import { RecordedEvent } from '../../../shared/event-sourcing/event';
import { eventRecorder } from '../../../../test/support/recorded-events';
import { PurgeBatchDoc } from '../../../shared/read-models/documents';
import { purgeBatchesProjection } from './purge-batches.projection';

const BATCH_ID = 'batch-1';
const OPERATION_ID = 'op-1';
const REQUESTED_AT = '2024-05-10T00:00:00.000Z';
const FAILED_AT = '2024-05-10T00:00:03.000Z';
const COMPLETED_AT = '2024-05-10T00:00:05.000Z';
const RECORDED_AT = '2024-05-10T00:00:06.000Z';

const record = eventRecorder({ streamId: `hardDeleteBatch-${BATCH_ID}`, createdAt: RECORDED_AT, actor: 'system:purge', correlationId: BATCH_ID });
const recorded = (event: ServiceEvent, streamId = `hardDeleteBatch-${BATCH_ID}`, createdAt = RECORDED_AT) => record(event, { streamId, createdAt });

const requested = recorded({ type: 'HardDeleteBatchRequested', data: { batchId: BATCH_ID, instanceIds: ['inst-1', 'inst-2', 'inst-3'], requestedAt: REQUESTED_AT } });
const failed = recorded(
  {
    type: 'InstancePurgeFailed',
    data: { batchId: BATCH_ID, instanceId: 'inst-1', attempt: 1, error: 'blob store unavailable', willRetry: true, operationId: OPERATION_ID, retryAfter: '2024-05-10T00:01:03.000Z' },
  },
  `hardDeleteBatch-${BATCH_ID}`,
  FAILED_AT,
);
const completed = recorded({ type: 'HardDeleteBatchCompleted', data: { batchId: BATCH_ID, purged: 2, failed: 1, completedAt: COMPLETED_AT } });
const completedWithoutTime = recorded({ type: 'HardDeleteBatchCompleted', data: { batchId: BATCH_ID, purged: 2, failed: 1 } });
const instancePurged = recorded(
  {
    type: 'InstancePurged',
    data: {
      instanceId: 'inst-2',
      definitionId: 'def-1',
      operationId: OPERATION_ID,
      batchId: BATCH_ID,
      deletedAt: '2024-05-02T09:00:00.000Z',
      purgedAt: COMPLETED_AT,
      blobsDeleted: 0,
      bookmarksDeleted: 0,
    },
  },
  'workflowInstance-inst-2',
);

const project = (events: RecordedEvent[]) => events.reduce<PurgeBatchDoc | null>((doc, e) => purgeBatchesProjection.evolve(doc, e, purgeBatchesProjection.keysOf(e)[0]), null);

const open: PurgeBatchDoc = { id: BATCH_ID, instanceIds: ['inst-1', 'inst-2', 'inst-3'], requestedAt: REQUESTED_AT, completedAt: null, purged: 0, failed: 0 };

describe('purgeBatchesProjection', () => {
  describe('keysOf', () => {
    it('keys every batch event by its batch', () => {
      expect([requested, failed, completed].map((e) => purgeBatchesProjection.keysOf(e))).toEqual([[BATCH_ID], [BATCH_ID], [BATCH_ID]]);
    });

    it('ignores instance events, even those naming the batch', () => {
      expect(purgeBatchesProjection.keysOf(instancePurged)).toEqual([]);
    });
  });

  describe('evolve', () => {
    it('opens a requested batch', () => {
      expect(project([requested])).toEqual(open);
    });

    it('counts failures as they happen', () => {
      expect(project([requested, failed])).toEqual({ ...open, failed: 1 });
    });

    it('closes the batch with the counts it completed with', () => {
      expect(project([requested, failed, completed])).toEqual({ ...open, completedAt: COMPLETED_AT, purged: 2, failed: 1 });
    });

    it('takes the completion time from the recorded event when the data has none', () => {
      expect(project([requested, failed, completedWithoutTime])).toEqual({ ...open, completedAt: RECORDED_AT, purged: 2, failed: 1 });
    });

    it('holds nothing for a failure of a batch it never saw', () => {
      expect(project([failed])).toBeNull();
    });

    it('holds nothing for the completion of a batch it never saw', () => {
      expect(project([completed])).toBeNull();
    });
  });
});
