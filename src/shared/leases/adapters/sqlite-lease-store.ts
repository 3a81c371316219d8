import { SqliteConnection, immediate } from '../../sqlite/sqlite-database';
import { Lease, LeaseStore } from '../lease-store.port';

interface Row {
  name: string;
  owner: string | null;
  epoch: number;
  until: string;
}

/** Leases in the embedded file: processes sharing the file (service and CLI) respect them. */
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
      const free = cur.owner === null || cur.until <= now.toISOString();
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
