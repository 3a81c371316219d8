import { spec } from '../../../../test/support/decider-spec';
import { PurgeBatchCommand, purgeBatchDecider, retryDelayMs } from './purge-batch.decider';
import { HardDeleteBatchCompleted, HardDeleteBatchRequested, InstancePurgeFailed } from './purge.events';

const BATCH_ID = 'batch-1';
const OPERATION_ID = 'op-1';
const REQUESTED_AT = '2024-05-10T00:00:00.000Z';
const FAILED_AT = '2024-05-10T00:00:03.000Z';
const COMPLETED_AT = '2024-05-10T00:00:05.000Z';
const RETRY_BASE_MS = 60_000;
const MAX_ATTEMPTS = 3;

const requested: HardDeleteBatchRequested = {
  type: 'HardDeleteBatchRequested',
  data: { batchId: BATCH_ID, instanceIds: ['inst-1', 'inst-2', 'inst-3'], requestedAt: REQUESTED_AT },
};
const firstFailure: InstancePurgeFailed = {
  type: 'InstancePurgeFailed',
  data: {
    batchId: BATCH_ID,
    instanceId: 'inst-1',
    attempt: 1,
    error: 'blob store unavailable',
    willRetry: true,
    operationId: OPERATION_ID,
    retryAfter: '2024-05-10T00:01:03.000Z',
  },
};
const completed: HardDeleteBatchCompleted = {
  type: 'HardDeleteBatchCompleted',
  data: { batchId: BATCH_ID, purged: 2, failed: 1, completedAt: COMPLETED_AT },
};

const request: PurgeBatchCommand = { type: 'RequestBatch', batchId: BATCH_ID, instanceIds: ['inst-1', 'inst-2', 'inst-3'], now: REQUESTED_AT };
const recordFailure = (instanceId: string, previousAttempts: number): Extract<PurgeBatchCommand, { type: 'RecordFailure' }> => ({
  type: 'RecordFailure',
  batchId: BATCH_ID,
  instanceId,
  operationId: OPERATION_ID,
  previousAttempts,
  maxAttempts: MAX_ATTEMPTS,
  retryBaseMs: RETRY_BASE_MS,
  error: 'blob store unavailable',
  now: FAILED_AT,
});
const complete: PurgeBatchCommand = { type: 'CompleteBatch', batchId: BATCH_ID, purged: 2, now: COMPLETED_AT };

describe('purgeBatchDecider', () => {
  it('requests a batch', () => {
    spec(purgeBatchDecider).given([]).when(request).then([requested]);
  });

  it('requests no batch without instances', () => {
    spec(purgeBatchDecider)
      .given([])
      .when({ ...request, instanceIds: [] })
      .thenNothing();
  });

  it('requests a batch only once', () => {
    spec(purgeBatchDecider).given([requested]).when(request).thenNothing();
  });

  it('records a first failure as attempt 1, retried after the base delay', () => {
    spec(purgeBatchDecider).given([requested]).when(recordFailure('inst-1', 0)).then([firstFailure]);
  });

  it('numbers a later failure after the attempts of earlier batches and doubles the delay', () => {
    spec(purgeBatchDecider)
      .given([requested])
      .when(recordFailure('inst-2', 1))
      .then([
        {
          type: 'InstancePurgeFailed',
          data: {
            batchId: BATCH_ID,
            instanceId: 'inst-2',
            attempt: 2,
            error: 'blob store unavailable',
            willRetry: true,
            operationId: OPERATION_ID,
            retryAfter: '2024-05-10T00:02:03.000Z',
          },
        },
      ]);
  });

  it('gives up at the last attempt: no retry, no retry time', () => {
    spec(purgeBatchDecider)
      .given([requested])
      .when(recordFailure('inst-3', MAX_ATTEMPTS - 1))
      .then([
        {
          type: 'InstancePurgeFailed',
          data: { batchId: BATCH_ID, instanceId: 'inst-3', attempt: 3, error: 'blob store unavailable', willRetry: false, operationId: OPERATION_ID },
        },
      ]);
  });

  it('leaves the operation out when the failure names none', () => {
    spec(purgeBatchDecider)
      .given([requested])
      .when({ ...recordFailure('inst-1', 0), operationId: undefined })
      .then([
        {
          type: 'InstancePurgeFailed',
          data: { batchId: BATCH_ID, instanceId: 'inst-1', attempt: 1, error: 'blob store unavailable', willRetry: true, retryAfter: '2024-05-10T00:01:03.000Z' },
        },
      ]);
  });

  it('records one failure per instance per batch', () => {
    spec(purgeBatchDecider).given([requested, firstFailure]).when(recordFailure('inst-1', 1)).thenNothing();
  });

  it('records no failure for a batch never requested', () => {
    spec(purgeBatchDecider).given([]).when(recordFailure('inst-1', 0)).thenNothing();
  });

  it('records no failure once the batch is completed', () => {
    spec(purgeBatchDecider).given([requested, firstFailure, completed]).when(recordFailure('inst-2', 0)).thenNothing();
  });

  it('completes the batch, counting the instances that failed in it', () => {
    spec(purgeBatchDecider).given([requested, firstFailure]).when(complete).then([completed]);
  });

  it('completes a batch without failures', () => {
    spec(purgeBatchDecider)
      .given([requested])
      .when({ ...complete, purged: 3 })
      .then([{ type: 'HardDeleteBatchCompleted', data: { batchId: BATCH_ID, purged: 3, failed: 0, completedAt: COMPLETED_AT } }]);
  });

  it('completes a batch only once', () => {
    spec(purgeBatchDecider).given([requested, firstFailure, completed]).when(complete).thenNothing();
  });

  it('completes no batch never requested', () => {
    spec(purgeBatchDecider).given([]).when(complete).thenNothing();
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base delay: base × 2^(attempt − 1)', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, RETRY_BASE_MS))).toEqual([60_000, 120_000, 240_000, 480_000]);
  });
});
