import { ServiceEvent } from '../../../shared/event-sourcing/all-events';
import { RecordedEvent } from '../../../shared/event-sourcing/event';
import { eventRecorder } from '../../../../test/support/recorded-events';
import { DefinitionDoc } from '../../../shared/read-models/documents';
import { definitionsProjection } from './definitions.projection';

const DEFINITION_ID = 'def-1';
const OPERATION_ID = 'op-1';
const CREATED_AT = '2024-05-01T10:00:00.000Z';
const DELETED_AT = '2024-05-02T09:00:00.000Z';

const record = eventRecorder({ streamId: `workflowDefinition-${DEFINITION_ID}`, createdAt: CREATED_AT });
const recorded = (event: ServiceEvent, streamId = `workflowDefinition-${DEFINITION_ID}`) => record(event, { streamId });

const created = recorded({ type: 'WorkflowDefinitionCreated', data: { definitionId: DEFINITION_ID, name: 'Invoice approval', createdAt: CREATED_AT } });
const deleted = recorded({
  type: 'WorkflowDefinitionDeleted',
  data: { definitionId: DEFINITION_ID, operationId: OPERATION_ID, deletedAt: DELETED_AT, deletedBy: 'alice', reason: 'retired' },
});
const instanceCreated = recorded(
  { type: 'WorkflowInstanceCreated', data: { instanceId: 'inst-1', definitionId: DEFINITION_ID, name: null, correlationId: null, createdAt: CREATED_AT } },
  'workflowInstance-inst-1',
);

const project = (events: RecordedEvent[]) => events.reduce<DefinitionDoc | null>((doc, e) => definitionsProjection.evolve(doc, e, DEFINITION_ID), null);

const live: DefinitionDoc = { id: DEFINITION_ID, name: 'Invoice approval', createdAt: CREATED_AT, isDeleted: false, deletedAt: null, deletionOperationId: null };

describe('definitionsProjection', () => {
  describe('keysOf', () => {
    it('keys a definition event by its definition', () => {
      expect(definitionsProjection.keysOf(deleted)).toEqual([DEFINITION_ID]);
    });

    it('ignores instance events, even of its instances', () => {
      expect(definitionsProjection.keysOf(instanceCreated)).toEqual([]);
    });
  });

  describe('evolve', () => {
    it('lists a created definition', () => {
      expect(project([created])).toEqual(live);
    });

    it('marks a deleted definition, naming the deletion operation', () => {
      expect(project([created, deleted])).toEqual({ ...live, isDeleted: true, deletedAt: DELETED_AT, deletionOperationId: OPERATION_ID });
    });

    it('holds nothing for a deletion of a definition it never saw', () => {
      expect(project([deleted])).toBeNull();
    });
  });
});
