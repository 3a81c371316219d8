import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteConnection } from '../../sqlite/sqlite-database';
import { SqliteLeaseStore, ownerIsGone } from './sqlite-lease-store';

describe('SqliteLeaseStore: leases of crashed processes', () => {
  let dir: string;
  let conn: SqliteConnection;
  let store: SqliteLeaseStore;
  const now = new Date('2026-01-01T00:00:00.000Z');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wis-lease-'));
    conn = new SqliteConnection(join(dir, 'test.db'));
    store = new SqliteLeaseStore(conn);
  });
  afterEach(() => {
    conn.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

  it('frees at once a lease whose holder process on this host is gone, with a new epoch', async () => {
    const crashed = `purge:${hostname()}:${deadPid()}:0a1b2c3d`;
    const first = await store.acquire('purge', crashed, 60_000, now);
    expect(first?.epoch).toBe(1);
    const taken = await store.acquire('purge', `purge:${hostname()}:${process.pid}:9f8e7d6c`, 60_000, now);
    expect(taken).toMatchObject({ epoch: 2 });
  });

  it('keeps the lease of a live process, of another host, or of an owner it cannot read, until the TTL', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      for (const holder of [`${hostname()}:${child.pid}:0a1b2c3d`, `other-host:${deadPid()}:0a1b2c3d`, 'someone']) {
        await store.release('p', holder, 0);
        conn.db.prepare('DELETE FROM leases').run();
        await store.acquire('p', holder, 60_000, now);
        expect(await store.acquire('p', `${hostname()}:${process.pid}:9f8e7d6c`, 60_000, now)).toBeNull();
        expect(await store.acquire('p', `${hostname()}:${process.pid}:9f8e7d6c`, 60_000, new Date(now.getTime() + 60_000))).not.toBeNull();
      }
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('reads owners of the projector and the purge', () => {
    expect(ownerIsGone(`${hostname()}:${deadPid()}:abcdef12`)).toBe(true);
    expect(ownerIsGone(`purge:${hostname()}:${deadPid()}:abcdef12`)).toBe(true);
    expect(ownerIsGone(`purge:${hostname()}:${process.pid}:abcdef12`)).toBe(false);
  });
});
