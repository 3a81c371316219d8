import { Decider } from '../../../shared/event-sourcing/decider';
import { PurgeBatchEvent } from './purge.events';

export interface PurgeBatchState {
  requested: boolean;
  instanceIds: string[];
  /** instanceId → attempts recorded in this batch */
  failures: Record<string, number>;
  completed: boolean;
}

export type PurgeBatchCommand =
  | { type: 'RequestBatch'; batchId: string; instanceIds: string[]; now: string }
  | {
      type: 'RecordFailure';
      batchId: string;
      instanceId: string;
      operationId?: string;
      previousAttempts: number;
      maxAttempts: number;
      retryBaseMs: number;
      error: string;
      now: string;
    }
  | { type: 'CompleteBatch'; batchId: string; purged: number; now: string };

/** Exponential backoff: base, 2×base, 4×base … */
export const retryDelayMs = (attempt: number, baseMs: number) => baseMs * 2 ** Math.max(0, attempt - 1);

export const purgeBatchDecider: Decider<PurgeBatchCommand, PurgeBatchState, PurgeBatchEvent> = {
  initialState: { requested: false, instanceIds: [], failures: {}, completed: false },

  evolve(state, event) {
    switch (event.type) {
      case 'HardDeleteBatchRequested':
        return { ...state, requested: true, instanceIds: event.data.instanceIds };
      case 'InstancePurgeFailed':
        return { ...state, failures: { ...state.failures, [event.data.instanceId]: event.data.attempt } };
      case 'HardDeleteBatchCompleted':
        return { ...state, completed: true };
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'RequestBatch':
        if (state.requested || command.instanceIds.length === 0) return [];
        return [{ type: 'HardDeleteBatchRequested', data: { batchId: command.batchId, instanceIds: command.instanceIds, requestedAt: command.now } }];
      case 'RecordFailure': {
        // One failure per instance per batch: a resumed batch does not count the same attempt twice.
        if (!state.requested || state.completed || state.failures[command.instanceId] !== undefined) return [];
        const attempt = command.previousAttempts + 1;
        const willRetry = attempt < command.maxAttempts;
        return [
          {
            type: 'InstancePurgeFailed',
            data: {
              batchId: command.batchId,
              instanceId: command.instanceId,
              attempt,
              error: command.error,
              willRetry,
              ...(command.operationId ? { operationId: command.operationId } : {}),
              ...(willRetry ? { retryAfter: new Date(Date.parse(command.now) + retryDelayMs(attempt, command.retryBaseMs)).toISOString() } : {}),
            },
          },
        ];
      }
      case 'CompleteBatch':
        if (!state.requested || state.completed) return [];
        return [
          {
            type: 'HardDeleteBatchCompleted',
            data: { batchId: command.batchId, purged: command.purged, failed: Object.keys(state.failures).length, completedAt: command.now },
          },
        ];
    }
  },
};
