import { UnavailableError } from '../event-sourcing/errors';
import { asStoreUnavailable } from './store-unavailable';

const named = (name: string, props: Record<string, unknown> = {}, message = 'x') => Object.assign(Object.create(null), { name, message, ...props });

describe('asStoreUnavailable', () => {
  it('recognises SQLite lock, disk and I/O failures, also from another realm', () => {
    expect(asStoreUnavailable(named('SqliteError', { code: 'SQLITE_BUSY' }, 'database is locked'))?.message).toBe(
      'embedded store unavailable (SQLITE_BUSY: database is locked); retry later',
    );
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY_DBMOVED', 'SQLITE_CANTOPEN']) expect(asStoreUnavailable(named('SqliteError', { code }))).toBeInstanceOf(UnavailableError);
    for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR']) expect(asStoreUnavailable(named('SqliteError', { code }))).toBeNull();
  });

  it('recognises MongoDB connection failures and filesystem outages, and nothing else', () => {
    expect(asStoreUnavailable(named('MongoServerSelectionError'))?.message).toBe('MongoDB unavailable (MongoServerSelectionError); retry later');
    expect(asStoreUnavailable(named('MongoServerError', { code: 11000 }))).toBeNull();
    expect(asStoreUnavailable(Object.assign(new Error('no space'), { code: 'ENOSPC', syscall: 'write' }))?.message).toBe('blob storage unavailable (ENOSPC); retry later');
    expect(asStoreUnavailable(Object.assign(new Error('gone'), { code: 'ENOENT', syscall: 'open' }))).toBeNull();
    expect(asStoreUnavailable(new TypeError('bug'))).toBeNull();
    expect(asStoreUnavailable('text')).toBeNull();
    const already = new UnavailableError('EventStoreDB unavailable: down');
    expect(asStoreUnavailable(already)).toBe(already);
  });
});
