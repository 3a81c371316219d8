import { spec } from '../../../../test/support/decider-spec';
import { ConflictError, NotFoundError } from '../../../shared/event-sourcing/errors';
import { definitionDecider } from './definition.decider';
import { WorkflowDefinitionCreated, WorkflowDefinitionDeleted } from './definition.events';

const DEFINITION_ID = 'def-1';
const OPERATION_ID = 'op-1';
const CREATED_AT = '2024-05-01T10:00:00.000Z';
const DELETED_AT = '2024-05-02T10:00:00.000Z';

const created: WorkflowDefinitionCreated = {
  type: 'WorkflowDefinitionCreated',
  data: { definitionId: DEFINITION_ID, name: 'Invoice approval', createdAt: CREATED_AT },
};
const deleted: WorkflowDefinitionDeleted = {
  type: 'WorkflowDefinitionDeleted',
  data: { definitionId: DEFINITION_ID, operationId: OPERATION_ID, deletedAt: DELETED_AT, deletedBy: 'alice', reason: 'retired' },
};

const create = (name = 'Invoice approval') => ({ type: 'CreateDefinition' as const, definitionId: DEFINITION_ID, name, now: CREATED_AT });
const remove = { type: 'DeleteDefinition' as const, definitionId: DEFINITION_ID, operationId: OPERATION_ID, by: 'alice', reason: 'retired', now: DELETED_AT };

describe('definitionDecider', () => {
  it('creates a definition', () => {
    spec(definitionDecider).given([]).when(create()).then([created]);
  });

  it('treats creating the same definition again as a retry', () => {
    spec(definitionDecider).given([created]).when(create()).thenNothing();
  });

  it('refuses another name under an existing id', () => {
    spec(definitionDecider)
      .given([created])
      .when(create('Expense approval'))
      .thenThrows(ConflictError, /workflow definition def-1 already exists/);
  });

  it('refuses to create a deleted definition again, even under the same name', () => {
    spec(definitionDecider).given([created, deleted]).when(create()).thenThrows(ConflictError, /already exists/);
  });

  it('deletes a definition', () => {
    spec(definitionDecider).given([created]).when(remove).then([deleted]);
  });

  it('leaves the reason out when none is given', () => {
    spec(definitionDecider)
      .given([created])
      .when({ ...remove, reason: undefined })
      .then([{ type: 'WorkflowDefinitionDeleted', data: { definitionId: DEFINITION_ID, operationId: OPERATION_ID, deletedAt: DELETED_AT, deletedBy: 'alice' } }]);
  });

  it('treats deleting a deleted definition as a retry', () => {
    spec(definitionDecider).given([created, deleted]).when(remove).thenNothing();
  });

  it('refuses to delete an unknown definition', () => {
    spec(definitionDecider).given([]).when(remove).thenThrows(NotFoundError, /workflow definition def-1 not found/);
  });
});
