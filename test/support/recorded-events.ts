import { ServiceEvent } from '../../src/shared/event-sourcing/all-events';
import { RecordedEvent } from '../../src/shared/event-sourcing/event';

export interface RecordOptions {
  streamId?: string;
  actor?: string;
  createdAt?: string;
  correlationId?: string;
}

/**
 * Stored events for projection specs: positions (and revisions) grow in the order the fixtures
 * are built, as they would in one stream of a real log.
 */
export function eventRecorder(defaults: RecordOptions & { streamId: string; createdAt: string }) {
  let position = 0;
  return (event: ServiceEvent, options: RecordOptions = {}): RecordedEvent => {
    position += 1;
    const o = { actor: 'alice', correlationId: 'corr-1', ...defaults, ...options };
    return {
      id: `evt-${position}`,
      streamId: o.streamId,
      revision: position - 1,
      position,
      type: event.type,
      data: event.data,
      metadata: { $correlationId: o.correlationId, $causationId: o.correlationId === 'corr-1' ? 'cause-1' : o.correlationId, actor: o.actor, schemaVersion: 1 },
      createdAt: o.createdAt,
    };
  };
}
