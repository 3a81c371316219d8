import { DeletionOperationDoc } from '../../shared/read-models/documents';
import { operationState } from './domain/operation-state';

export function operationView(op: DeletionOperationDoc) {
  return {
    id: op.id,
    kind: op.kind,
    state: operationState(op),
    requestedAt: op.requestedAt,
    requestedBy: op.requestedBy,
    reason: op.reason,
    selection: op.selection,
    matched: op.matched,
    softDeleted: op.softDeleted,
    alreadyDeleted: op.alreadyDeleted,
    notFound: op.notFound,
    restored: op.restored,
    purged: op.purged,
    purgeFailed: op.purgeFailed,
    purgeAfter: op.purgeAfter,
    softDeleteCompletedAt: op.softDeleteCompletedAt,
    undoneAt: op.undoneAt,
    interrupted: op.interrupted ?? false,
  };
}
export type OperationView = ReturnType<typeof operationView>;
