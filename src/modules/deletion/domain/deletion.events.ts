import { DomainEvent } from '../../../shared/event-sourcing/event';
import { DeletionKind } from '../../../shared/read-models/documents';

export type DeletionRequested = DomainEvent<
  'DeletionRequested',
  {
    operationId: string;
    kind: DeletionKind;
    /** What was asked for: `{ instanceId }`, `{ ids }` (count only when large), `{ filter }` or `{ definitionId }`. */
    selection: Record<string, unknown>;
    requestedBy: string;
    requestedAt: string;
    reason?: string;
    /** Instances the selection resolved to (existing or not, for explicit ids). */
    matched: number;
    /** Hash of the request, so a reused Idempotency-Key with another request is refused. */
    requestHash?: string;
  }
>;
/**
 * Added to the contract's deletion stream: the soft-delete phase finished, with its outcome.
 * `alreadyDeleted` and `notFound` are facts known only at that point.
 */
export type DeletionSoftDeleteCompleted = DomainEvent<
  'DeletionSoftDeleteCompleted',
  {
    operationId: string;
    softDeleted: number;
    alreadyDeleted: number;
    notFound: number;
    purgeAfter: string;
    completedAt: string;
    /** True when recovery closed it: a crash cut the request off; the counts are what it had done. Absent in events written before the field existed. */
    interrupted?: boolean;
  }
>;
export type DeletionUndoRequested = DomainEvent<
  'DeletionUndoRequested',
  { operationId: string; requestedBy: string; requestedAt: string }
>;
export type DeletionEvent = DeletionRequested | DeletionSoftDeleteCompleted | DeletionUndoRequested;
