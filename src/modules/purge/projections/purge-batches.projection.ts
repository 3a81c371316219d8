import { asServiceEvent } from '../../../shared/event-sourcing/all-events';
import { Projection } from '../../../shared/projections/projection';
import { COLLECTIONS, PurgeBatchDoc } from '../../../shared/read-models/documents';

export const purgeBatchesProjection: Projection<PurgeBatchDoc> = {
  name: 'purge-batches',
  collection: COLLECTIONS.batches,
  keysOf(e) {
    const ev = asServiceEvent(e);
    return ev.type === 'HardDeleteBatchRequested' || ev.type === 'HardDeleteBatchCompleted' || ev.type === 'InstancePurgeFailed'
      ? [ev.data.batchId]
      : [];
  },
  evolve(doc, e) {
    const ev = asServiceEvent(e);
    switch (ev.type) {
      case 'HardDeleteBatchRequested':
        return { id: ev.data.batchId, instanceIds: ev.data.instanceIds, requestedAt: ev.data.requestedAt, completedAt: null, purged: 0, failed: 0 };
      case 'InstancePurgeFailed':
        return doc && { ...doc, failed: doc.failed + 1 };
      case 'HardDeleteBatchCompleted':
        return doc && { ...doc, completedAt: ev.data.completedAt ?? e.createdAt, purged: ev.data.purged, failed: ev.data.failed };
      default:
        return doc;
    }
  },
};
