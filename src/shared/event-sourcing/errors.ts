/**
 * Errors with a stable `code`. The HTTP layer maps codes to statuses in one filter; nothing
 * else catches them except where a retry is the documented answer (ConcurrencyError).
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

export class ValidationError extends DomainError {
  readonly code = 'VALIDATION';
}

/** The stream moved since it was read. Handlers re-read, re-decide and retry. */
export class ConcurrencyError extends DomainError {
  readonly code = 'CONCURRENCY';
  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`stream ${streamId}: expected revision ${expected}, actual ${actual}`);
  }
}

/** The stream was purged: it can never be appended to again. */
export class StreamDeletedError extends DomainError {
  readonly code = 'STREAM_DELETED';
  constructor(readonly streamId: string) {
    super(`stream ${streamId} is deleted`);
  }
}

/** A backing store did not answer; the request may be retried. */
export class UnavailableError extends DomainError {
  readonly code = 'UNAVAILABLE';
}
