/** Metadata every event carries (contract §3). */
export interface EventMetadata {
  $correlationId: string;
  $causationId: string;
  /** Who caused it: a principal id, `anonymous`, or `system:purge` for the purge saga. */
  actor: string;
  schemaVersion: number;
}

/** A domain event as deciders see it: a type name and its data, nothing else. */
export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
}

/** An event ready to append. `id` must be deterministic for retries to be idempotent. */
export interface NewEvent<E extends DomainEvent = DomainEvent> {
  id: string;
  type: E['type'];
  data: E['data'];
  metadata: EventMetadata;
}

/** An event as stored. `revision` is 0-based within the stream; `position` orders the global log. */
export interface RecordedEvent<E extends DomainEvent = DomainEvent> {
  id: string;
  streamId: string;
  revision: number;
  position: number;
  type: E['type'];
  data: E['data'];
  metadata: EventMetadata;
  createdAt: string;
}

/** Who and why, passed from the edge (HTTP, CLI, job) into every command. */
export interface CommandContext {
  actor: string;
  correlationId: string;
  causationId: string;
}
