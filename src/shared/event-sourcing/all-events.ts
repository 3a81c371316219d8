import { DefinitionEvent } from '../../modules/definitions/domain/definition.events';
import { DeletionEvent } from '../../modules/deletion/domain/deletion.events';
import { InstanceEvent } from '../../modules/instances/domain/instance.events';
import { PurgeBatchEvent } from '../../modules/purge/domain/purge.events';
import { RecordedEvent } from './event';

/** Every event type of the service: projections switch over this union. */
export type ServiceEvent = DefinitionEvent | InstanceEvent | DeletionEvent | PurgeBatchEvent;
export type RecordedServiceEvent = RecordedEvent & ServiceEvent;

export const asServiceEvent = (e: RecordedEvent) => e as RecordedServiceEvent;
