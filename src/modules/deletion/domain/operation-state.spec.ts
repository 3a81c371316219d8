import { DeletionOperationDoc } from '../../../shared/read-models/documents';
import { operationState } from './operation-state';

const REQUESTED_AT = '2024-05-02T09:00:00.000Z';
const COMPLETED_AT = '2024-05-02T09:00:01.000Z';
const PURGE_AFTER = '2024-05-09T09:00:00.000Z';
const UNDONE_AT = '2024-05-03T09:00:00.000Z';

/** Three instances selected, all three soft-deleted, nothing settled yet. */
const softDeleted: DeletionOperationDoc = {
  id: 'op-1',
  kind: 'bulk',
  selection: { ids: ['inst-1', 'inst-2', 'inst-3'] },
  requestedAt: REQUESTED_AT,
  requestedBy: 'alice',
  reason: null,
  matched: 3,
  softDeleted: 3,
  alreadyDeleted: 0,
  notFound: 0,
  restored: 0,
  purged: 0,
  purgeFailed: 0,
  purgeAfter: PURGE_AFTER,
  softDeleteCompletedAt: COMPLETED_AT,
  undoneAt: null,
};
const softDeleting: DeletionOperationDoc = { ...softDeleted, softDeleted: 1, purgeAfter: null, softDeleteCompletedAt: null };

describe('operationState', () => {
  it('is SoftDeleting until the soft deletes are recorded as finished', () => {
    expect(operationState(softDeleting)).toBe('SoftDeleting');
  });

  it('is SoftDeleting even when the purge has already touched some instances', () => {
    expect(operationState({ ...softDeleting, purged: 1 })).toBe('SoftDeleting');
  });

  it('is SoftDeleted while every instance waits for the purge', () => {
    expect(operationState(softDeleted)).toBe('SoftDeleted');
  });

  it('is SoftDeleted when only restores have settled some instances', () => {
    expect(operationState({ ...softDeleted, restored: 1 })).toBe('SoftDeleted');
  });

  it('is Purging once some but not all instances are purged', () => {
    expect(operationState({ ...softDeleted, purged: 1 })).toBe('Purging');
  });

  it('is Purging once an instance failed for good and others still wait', () => {
    expect(operationState({ ...softDeleted, purgeFailed: 1 })).toBe('Purging');
  });

  it('is Completed when every instance is purged or restored', () => {
    expect(operationState({ ...softDeleted, purged: 2, restored: 1 })).toBe('Completed');
  });

  it('is Completed when nothing had to be deleted', () => {
    expect(operationState({ ...softDeleted, softDeleted: 0, alreadyDeleted: 3 })).toBe('Completed');
  });

  it('is CompletedWithFailures when every instance is settled and some failed', () => {
    expect(operationState({ ...softDeleted, purged: 2, purgeFailed: 1 })).toBe('CompletedWithFailures');
  });

  it('is Undone once undone, whatever the counts', () => {
    expect(operationState({ ...softDeleted, purged: 1, restored: 2, undoneAt: UNDONE_AT })).toBe('Undone');
  });
});
