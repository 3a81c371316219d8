import { Decider } from '../../../shared/event-sourcing/decider';
import { ConflictError, NotFoundError } from '../../../shared/event-sourcing/errors';
import { DefinitionEvent } from './definition.events';

export interface DefinitionState {
  exists: boolean;
  name: string | null;
  deleted: { operationId: string } | null;
}

export type DefinitionCommand =
  | { type: 'CreateDefinition'; definitionId: string; name: string; now: string }
  | { type: 'DeleteDefinition'; definitionId: string; operationId: string; by: string; reason?: string; now: string };

export const definitionDecider: Decider<DefinitionCommand, DefinitionState, DefinitionEvent> = {
  initialState: { exists: false, name: null, deleted: null },

  evolve(state, event) {
    switch (event.type) {
      case 'WorkflowDefinitionCreated':
        return { exists: true, name: event.data.name, deleted: null };
      case 'WorkflowDefinitionDeleted':
        return { ...state, deleted: { operationId: event.data.operationId } };
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'CreateDefinition':
        if (state.exists) {
          // Creating the same definition again is a retry; a different one under this id is not.
          if (state.name === command.name && !state.deleted) return [];
          throw new ConflictError(`workflow definition ${command.definitionId} already exists`);
        }
        return [{ type: 'WorkflowDefinitionCreated', data: { definitionId: command.definitionId, name: command.name, createdAt: command.now } }];
      case 'DeleteDefinition':
        if (!state.exists) throw new NotFoundError(`workflow definition ${command.definitionId} not found`);
        if (state.deleted) return [];
        return [
          {
            type: 'WorkflowDefinitionDeleted',
            data: {
              definitionId: command.definitionId,
              operationId: command.operationId,
              deletedAt: command.now,
              deletedBy: command.by,
              ...(command.reason ? { reason: command.reason } : {}),
            },
          },
        ];
    }
  },
};
