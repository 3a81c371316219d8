import { UnavailableError } from '../event-sourcing/errors';

/**
 * SQLite result codes that mean "the file cannot be used right now" (locked by another process,
 * disk full, read-only, I/O error), not "this request is wrong". better-sqlite3 throws
 * `SqliteError` with the extended code, e.g. `SQLITE_IOERR_WRITE`.
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL|NOMEM)/;

/** MongoDB driver errors that mean the server cannot be reached or the connection pool is gone. */
const MONGO_UNAVAILABLE = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
]);

/** Filesystem errors of the blob directory that an operator fixes (space, permissions, device). */
const FS_UNAVAILABLE = new Set(['ENOSPC', 'EROFS', 'EIO', 'EDQUOT', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE']);

/**
 * Turns a store failure into an `UnavailableError` with a message naming the store, or null when
 * `e` is not one. Matched by name and code so the HTTP layer needs no driver import.
 */
export function asStoreUnavailable(e: unknown): UnavailableError | null {
  if (e instanceof UnavailableError) return e;
  // Duck-typed: a native addon's errors may come from another realm, where `instanceof Error` fails.
  if (typeof e !== 'object' || e === null || typeof (e as Error).name !== 'string') return null;
  const err = e as Error & { code?: unknown; syscall?: unknown };
  const code = err.code;
  if (err.name === 'SqliteError' && typeof code === 'string' && SQLITE_UNAVAILABLE.test(code)) {
    return new UnavailableError(`embedded store unavailable (${code}: ${err.message}); retry later`);
  }
  if (MONGO_UNAVAILABLE.has(err.name)) return new UnavailableError(`MongoDB unavailable (${err.name}); retry later`);
  if (typeof code === 'string' && FS_UNAVAILABLE.has(code) && typeof err.syscall === 'string') {
    return new UnavailableError(`blob storage unavailable (${code}); retry later`);
  }
  return null;
}
