import { spec } from '../../../../test/support/decider-spec';
import { ConflictError, NotFoundError } from '../../../shared/event-sourcing/errors';
import { DeletionCommand, deletionDecider } from './deletion.decider';
import { DeletionRequested, DeletionSoftDeleteCompleted, DeletionUndoRequested } from './deletion.events';

const OPERATION_ID = 'op-1';
const REQUEST_HASH = 'hash-1';
const OTHER_REQUEST_HASH = 'hash-2';
const REQUESTED_AT = '2024-05-02T09:00:00.000Z';
const COMPLETED_AT = '2024-05-02T09:00:01.000Z';
const PURGE_AFTER = '2024-05-09T09:00:00.000Z';
const UNDONE_AT = '2024-05-03T09:00:00.000Z';

const requested: DeletionRequested = {
  type: 'DeletionRequested',
  data: {
    operationId: OPERATION_ID,
    kind: 'bulk',
    selection: { ids: ['inst-1', 'inst-2', 'inst-3'] },
    requestedBy: 'alice',
    requestedAt: REQUESTED_AT,
    reason: 'GDPR request',
    matched: 3,
    requestHash: REQUEST_HASH,
  },
};
const softDeleteCompleted: DeletionSoftDeleteCompleted = {
  type: 'DeletionSoftDeleteCompleted',
  data: { operationId: OPERATION_ID, softDeleted: 2, alreadyDeleted: 0, notFound: 1, purgeAfter: PURGE_AFTER, completedAt: COMPLETED_AT, interrupted: false },
};
const undoRequested: DeletionUndoRequested = {
  type: 'DeletionUndoRequested',
  data: { operationId: OPERATION_ID, requestedBy: 'bob', requestedAt: UNDONE_AT },
};

const request: DeletionCommand = {
  type: 'RequestDeletion',
  operationId: OPERATION_ID,
  kind: 'bulk',
  selection: { ids: ['inst-1', 'inst-2', 'inst-3'] },
  requestedBy: 'alice',
  reason: 'GDPR request',
  matched: 3,
  requestHash: REQUEST_HASH,
  now: REQUESTED_AT,
};
const complete: DeletionCommand = {
  type: 'CompleteSoftDelete',
  operationId: OPERATION_ID,
  softDeleted: 2,
  alreadyDeleted: 0,
  notFound: 1,
  purgeAfter: PURGE_AFTER,
  now: COMPLETED_AT,
};
const undo: DeletionCommand = { type: 'Undo', operationId: OPERATION_ID, by: 'bob', now: UNDONE_AT };

describe('deletionDecider', () => {
  it('records a deletion request', () => {
    spec(deletionDecider).given([]).when(request).then([requested]);
  });

  it('leaves the reason out when none is given', () => {
    const { reason: _, ...withoutReason } = requested.data;
    spec(deletionDecider)
      .given([])
      .when({ ...request, reason: undefined })
      .then([{ type: 'DeletionRequested', data: withoutReason }]);
  });

  it('treats the same request under the same operation as a retry', () => {
    spec(deletionDecider).given([requested]).when(request).thenNothing();
  });

  it('refuses another request under a used Idempotency-Key', () => {
    spec(deletionDecider)
      .given([requested])
      .when({ ...request, requestHash: OTHER_REQUEST_HASH })
      .thenThrows(ConflictError, /Idempotency-Key was already used for a different deletion request/);
  });

  it('records the outcome of the soft deletes', () => {
    spec(deletionDecider).given([requested]).when(complete).then([softDeleteCompleted]);
  });

  it('records an outcome that recovery closed as interrupted', () => {
    spec(deletionDecider)
      .given([requested])
      .when({ ...complete, softDeleted: 1, notFound: 0, interrupted: true })
      .then([{ ...softDeleteCompleted, data: { ...softDeleteCompleted.data, softDeleted: 1, notFound: 0, interrupted: true } }]);
  });

  it('records the outcome only once', () => {
    spec(deletionDecider).given([requested, softDeleteCompleted]).when(complete).thenNothing();
  });

  it('refuses the outcome of an unknown operation', () => {
    spec(deletionDecider).given([]).when(complete).thenThrows(NotFoundError, /deletion operation op-1 not found/);
  });

  it('refuses an undo while the soft deletes are still running', () => {
    spec(deletionDecider).given([requested]).when(undo).thenThrows(ConflictError, /deletion operation op-1 is still running/);
  });

  it('undoes a finished operation', () => {
    spec(deletionDecider).given([requested, softDeleteCompleted]).when(undo).then([undoRequested]);
  });

  it('treats undoing twice as a retry', () => {
    spec(deletionDecider).given([requested, softDeleteCompleted, undoRequested]).when(undo).thenNothing();
  });

  it('refuses an undo of an unknown operation', () => {
    spec(deletionDecider).given([]).when(undo).thenThrows(NotFoundError, /deletion operation op-1 not found/);
  });
});
