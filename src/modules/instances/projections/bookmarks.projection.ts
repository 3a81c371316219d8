import { asServiceEvent } from '../../../shared/event-sourcing/all-events';
import { Projection } from '../../../shared/projections/projection';
import { BookmarkDoc, COLLECTIONS } from '../../../shared/read-models/documents';

/** Open bookmarks by id. Visibility (deleted or finished instance) is decided at query time. */
export const bookmarksProjection: Projection<BookmarkDoc> = {
  name: 'bookmarks',
  collection: COLLECTIONS.bookmarks,
  keysOf(e) {
    const ev = asServiceEvent(e);
    if (ev.type === 'BookmarkCreated' || ev.type === 'BookmarkResumed') return [ev.data.bookmarkId];
    if (ev.type === 'InstancePurged') return ev.data.bookmarkIds ?? [];
    return [];
  },
  evolve(doc, e) {
    const ev = asServiceEvent(e);
    switch (ev.type) {
      case 'BookmarkCreated':
        return { id: ev.data.bookmarkId, instanceId: ev.data.instanceId, name: ev.data.name, createdAt: ev.data.createdAt };
      case 'BookmarkResumed':
      case 'InstancePurged':
        return null;
      default:
        return doc;
    }
  },
};
