import { asServiceEvent } from '../../../shared/event-sourcing/all-events';
import { Projection } from '../../../shared/projections/projection';
import { COLLECTIONS, DefinitionDoc } from '../../../shared/read-models/documents';

export const definitionsProjection: Projection<DefinitionDoc> = {
  name: 'definitions',
  collection: COLLECTIONS.definitions,
  keysOf(e) {
    const ev = asServiceEvent(e);
    return ev.type === 'WorkflowDefinitionCreated' || ev.type === 'WorkflowDefinitionDeleted' ? [ev.data.definitionId] : [];
  },
  evolve(doc, e) {
    const ev = asServiceEvent(e);
    switch (ev.type) {
      case 'WorkflowDefinitionCreated':
        return { id: ev.data.definitionId, name: ev.data.name, createdAt: ev.data.createdAt, isDeleted: false, deletedAt: null, deletionOperationId: null };
      case 'WorkflowDefinitionDeleted':
        return doc && { ...doc, isDeleted: true, deletedAt: ev.data.deletedAt, deletionOperationId: ev.data.operationId };
      default:
        return doc;
    }
  },
};
