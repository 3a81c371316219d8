import { DomainEvent } from '../../../shared/event-sourcing/event';

export type HardDeleteBatchRequested = DomainEvent<'HardDeleteBatchRequested', { batchId: string; instanceIds: string[]; requestedAt: string }>;
export type InstancePurgeFailed = DomainEvent<
  'InstancePurgeFailed',
  {
    batchId: string;
    instanceId: string;
    attempt: number;
    error: string;
    willRetry: boolean;
    /** Added: the deletion operation, so its `purgeFailed` count moves. */
    operationId?: string;
    /** Added: when the next attempt may run (with `willRetry`). */
    retryAfter?: string;
  }
>;
export type HardDeleteBatchCompleted = DomainEvent<'HardDeleteBatchCompleted', { batchId: string; purged: number; failed: number; completedAt?: string }>;
export type PurgeBatchEvent = HardDeleteBatchRequested | InstancePurgeFailed | HardDeleteBatchCompleted;
