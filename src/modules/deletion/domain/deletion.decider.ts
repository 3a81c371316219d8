import { Decider } from '../../../shared/event-sourcing/decider';
import { ConflictError, NotFoundError } from '../../../shared/event-sourcing/errors';
import { DeletionKind } from '../../../shared/read-models/documents';
import { DeletionEvent } from './deletion.events';

export interface DeletionState {
  exists: boolean;
  requestHash: string | null;
  completed: boolean;
  undone: boolean;
}

export type DeletionCommand =
  | {
      type: 'RequestDeletion';
      operationId: string;
      kind: DeletionKind;
      selection: Record<string, unknown>;
      requestedBy: string;
      reason?: string;
      matched: number;
      requestHash: string;
      now: string;
    }
  | {
      type: 'CompleteSoftDelete';
      operationId: string;
      softDeleted: number;
      alreadyDeleted: number;
      notFound: number;
      purgeAfter: string;
      interrupted?: boolean;
      now: string;
    }
  | { type: 'Undo'; operationId: string; by: string; now: string };

export const deletionDecider: Decider<DeletionCommand, DeletionState, DeletionEvent> = {
  initialState: { exists: false, requestHash: null, completed: false, undone: false },

  evolve(state, event) {
    switch (event.type) {
      case 'DeletionRequested':
        return { ...state, exists: true, requestHash: event.data.requestHash ?? null };
      case 'DeletionSoftDeleteCompleted':
        return { ...state, completed: true };
      case 'DeletionUndoRequested':
        return { ...state, undone: true };
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'RequestDeletion':
        if (state.exists) {
          // Same Idempotency-Key, same request: the answer is the existing operation.
          if (state.requestHash === command.requestHash) return [];
          throw new ConflictError('Idempotency-Key was already used for a different deletion request');
        }
        return [
          {
            type: 'DeletionRequested',
            data: {
              operationId: command.operationId,
              kind: command.kind,
              selection: command.selection,
              requestedBy: command.requestedBy,
              requestedAt: command.now,
              ...(command.reason ? { reason: command.reason } : {}),
              matched: command.matched,
              requestHash: command.requestHash,
            },
          },
        ];
      case 'CompleteSoftDelete':
        if (!state.exists) throw new NotFoundError(`deletion operation ${command.operationId} not found`);
        if (state.completed) return [];
        return [
          {
            type: 'DeletionSoftDeleteCompleted',
            data: {
              operationId: command.operationId,
              softDeleted: command.softDeleted,
              alreadyDeleted: command.alreadyDeleted,
              notFound: command.notFound,
              purgeAfter: command.purgeAfter,
              completedAt: command.now,
              interrupted: command.interrupted ?? false,
            },
          },
        ];
      case 'Undo':
        if (!state.exists) throw new NotFoundError(`deletion operation ${command.operationId} not found`);
        if (!state.completed) throw new ConflictError(`deletion operation ${command.operationId} is still running; undo it when it has finished`);
        if (state.undone) return [];
        return [{ type: 'DeletionUndoRequested', data: { operationId: command.operationId, requestedBy: command.by, requestedAt: command.now } }];
    }
  },
};
