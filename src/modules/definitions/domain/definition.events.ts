import { DomainEvent } from '../../../shared/event-sourcing/event';

export type WorkflowDefinitionCreated = DomainEvent<'WorkflowDefinitionCreated', { definitionId: string; name: string; createdAt: string }>;
export type WorkflowDefinitionDeleted = DomainEvent<
  'WorkflowDefinitionDeleted',
  { definitionId: string; operationId: string; deletedAt: string; deletedBy: string; reason?: string }
>;
export type DefinitionEvent = WorkflowDefinitionCreated | WorkflowDefinitionDeleted;
