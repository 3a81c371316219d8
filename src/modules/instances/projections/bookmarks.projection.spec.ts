import { RecordedEvent } from '../../../shared/event-sourcing/event';
import { eventRecorder } from '../../../../test/support/recorded-events';
import { BookmarkDoc } from '../../../shared/read-models/documents';
import { bookmarksProjection } from './bookmarks.projection';

const INSTANCE_ID = 'inst-1';
const DEFINITION_ID = 'def-1';
const OPERATION_ID = 'op-1';
const BATCH_ID = 'batch-1';
const CREATED_AT = '2024-05-01T10:00:00.000Z';
const BOOKMARKED_AT = '2024-05-01T10:05:00.000Z';
const RESUMED_AT = '2024-05-01T10:10:00.000Z';
const DELETED_AT = '2024-05-02T09:00:00.000Z';
const PURGE_AFTER = '2024-05-09T09:00:00.000Z';
const PURGED_AT = '2024-05-10T00:00:05.000Z';

const recorded = eventRecorder({ streamId: `workflowInstance-${INSTANCE_ID}`, createdAt: CREATED_AT });

const created = recorded({
  type: 'WorkflowInstanceCreated',
  data: { instanceId: INSTANCE_ID, definitionId: DEFINITION_ID, name: null, correlationId: null, createdAt: CREATED_AT },
});
const bookmarked = recorded({
  type: 'BookmarkCreated',
  data: { instanceId: INSTANCE_ID, bookmarkId: 'bm-1', name: 'approve', payload: { amount: 42 }, createdAt: BOOKMARKED_AT },
});
const resumed = recorded({ type: 'BookmarkResumed', data: { instanceId: INSTANCE_ID, bookmarkId: 'bm-1', input: { approved: true }, resumedAt: RESUMED_AT } });
const softDeleted = recorded({
  type: 'WorkflowInstanceSoftDeleted',
  data: { instanceId: INSTANCE_ID, definitionId: DEFINITION_ID, operationId: OPERATION_ID, deletedAt: DELETED_AT, deletedBy: 'alice', purgeAfter: PURGE_AFTER },
});
const purgedData = {
  instanceId: INSTANCE_ID,
  definitionId: DEFINITION_ID,
  operationId: OPERATION_ID,
  batchId: BATCH_ID,
  deletedAt: DELETED_AT,
  purgedAt: PURGED_AT,
  blobsDeleted: 0,
  bookmarksDeleted: 2,
};
const purged = recorded({ type: 'InstancePurged', data: { ...purgedData, deletedBy: 'alice', bookmarkIds: ['bm-1', 'bm-2'] } });
const purgedWithoutBookmarkIds = recorded({ type: 'InstancePurged', data: purgedData });

const project = (events: RecordedEvent[]) => events.reduce<BookmarkDoc | null>((doc, e) => bookmarksProjection.evolve(doc, e, bookmarksProjection.keysOf(e)[0]), null);

const openBookmark: BookmarkDoc = { id: 'bm-1', instanceId: INSTANCE_ID, name: 'approve', createdAt: BOOKMARKED_AT };

describe('bookmarksProjection', () => {
  describe('keysOf', () => {
    it('keys a bookmark event by its bookmark', () => {
      expect(bookmarksProjection.keysOf(resumed)).toEqual(['bm-1']);
    });

    it('keys a purge by every bookmark the instance had', () => {
      expect(bookmarksProjection.keysOf(purged)).toEqual(['bm-1', 'bm-2']);
    });

    it('keys a purge marker without bookmark ids by nothing', () => {
      expect(bookmarksProjection.keysOf(purgedWithoutBookmarkIds)).toEqual([]);
    });

    it('ignores other instance events', () => {
      expect(bookmarksProjection.keysOf(created)).toEqual([]);
    });
  });

  describe('evolve', () => {
    it('lists an open bookmark, without its payload', () => {
      expect(project([bookmarked])).toEqual(openBookmark);
    });

    it('removes a resumed bookmark', () => {
      expect(project([bookmarked, resumed])).toBeNull();
    });

    it('keeps the bookmark of a soft-deleted instance (hidden at query time)', () => {
      expect(project([bookmarked, softDeleted])).toEqual(openBookmark);
    });

    it('removes the bookmarks of a purged instance', () => {
      expect(project([bookmarked, softDeleted, purged])).toBeNull();
    });
  });
});
