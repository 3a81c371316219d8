import { DeletionOperationDoc } from '../../../shared/read-models/documents';

export type OperationState = 'SoftDeleting' | 'SoftDeleted' | 'Purging' | 'Completed' | 'CompletedWithFailures' | 'Undone';

/** The state a user sees, derived from the operation's counts. */
export function operationState(op: DeletionOperationDoc): OperationState {
  if (op.undoneAt) return 'Undone';
  if (!op.softDeleteCompletedAt) return 'SoftDeleting';
  const settled = op.restored + op.purged + op.purgeFailed;
  if (settled < op.softDeleted) return op.purged + op.purgeFailed > 0 ? 'Purging' : 'SoftDeleted';
  return op.purgeFailed > 0 ? 'CompletedWithFailures' : 'Completed';
}
