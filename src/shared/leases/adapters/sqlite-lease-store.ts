import { hostname } from 'node:os';
import { SqliteConnection, immediate } from '../../sqlite/sqlite-database';
import { Lease, LeaseStore } from '../lease-store.port';

interface Row {
  name: string;
  owner: string | null;
  epoch: number;
  until: string;
}

/** Owners are `[role:]host:pid:nonce` (see the projector and the purge). */
const OWNER = /(?:^|:)([^:]+):(\d+):[0-9a-f]{8}$/;

/**
 * True when the owner was a process on this host that no longer exists. Every process sharing an
 * SQLite file in WAL mode runs on the same host (it needs the shared-memory file), so such a lease
 * was abandoned by a crash (`kill -9`) and is free at once instead of after its TTL. A pid that
 * was reused, or that we may not signal, counts as alive: the TTL decides then.
 */
export function ownerIsGone(owner: string): boolean {
  const m = OWNER.exec(owner);
  if (!m || m[1] !== hostname()) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Leases in the embedded file: processes sharing the file (service and CLI) respect them. A lease
 * whose holder process died on this host is free at once, so a restart after a crash does not
 * wait out the TTL.
 */
export class SqliteLeaseStore extends LeaseStore {
  constructor(private readonly conn: SqliteConnection) {
    super();
    conn.db.exec(
      'CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, owner TEXT, epoch INTEGER NOT NULL, until TEXT NOT NULL) WITHOUT ROWID',
    );
  }

  private row(name: string): Row | undefined {
    return this.conn.stmt<[string], Row>('SELECT * FROM leases WHERE name = ?').get(name);
  }

  async acquire(name: string, owner: string, ttlMs: number, now: Date): Promise<Lease | null> {
    const until = new Date(now.getTime() + ttlMs).toISOString();
    return immediate(this.conn.db, () => {
      const cur = this.row(name);
      if (!cur) {
        this.conn.stmt('INSERT INTO leases (name, owner, epoch, until) VALUES (?, ?, 1, ?)').run(name, owner, until);
        return { name, owner, epoch: 1, until: new Date(until) };
      }
      const mine = cur.owner === owner && cur.until > now.toISOString();
      const free = cur.owner === null || cur.until <= now.toISOString() || (cur.owner !== owner && ownerIsGone(cur.owner));
      if (!mine && !free) return null;
      const epoch = mine ? cur.epoch : cur.epoch + 1;
      this.conn.stmt('UPDATE leases SET owner = ?, epoch = ?, until = ? WHERE name = ?').run(owner, epoch, until, name);
      return { name, owner, epoch, until: new Date(until) };
    });
  }

  async release(name: string, owner: string, epoch: number): Promise<void> {
    this.conn
      .stmt('UPDATE leases SET owner = NULL, until = ? WHERE name = ? AND owner = ? AND epoch = ?')
      .run(new Date(0).toISOString(), name, owner, epoch);
  }

  async isHeld(name: string, owner: string, epoch: number, now: Date): Promise<boolean> {
    const cur = this.row(name);
    return !!cur && cur.owner === owner && cur.epoch === epoch && cur.until > now.toISOString();
  }
}
