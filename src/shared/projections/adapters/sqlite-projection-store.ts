import { Statement } from 'better-sqlite3';
import { Db, SqliteConnection, immediate } from '../../sqlite/sqlite-database';
import { ConcurrencyError } from '../../event-sourcing/errors';
import { COLUMNS, READ_MODEL_SCHEMA, rmTable } from '../../read-models/adapters/sqlite-read-model.schema';
import { ReadDoc } from '../projection';
import { CheckpointMove, DocWrite, ProjectionStore, StoredDoc } from '../projection-store.port';

const CHUNK = 500;

/**
 * Projection documents in the same SQLite file as the events. A batch of documents and its
 * checkpoints commit in one transaction, so a crash never leaves one without the other and a
 * second projector (another process on the same file) loses the checkpoint compare-and-set.
 */
export class SqliteProjectionStore extends ProjectionStore {
  readonly kind = 'sqlite';
  private readonly db: Db;
  private readonly upserts = new Map<string, { stmt: Statement; extract: ((doc: never) => unknown)[] }>();

  constructor(private readonly conn: SqliteConnection) {
    super();
    this.db = conn.db;
    this.db.exec(READ_MODEL_SCHEMA);
  }

  async getMany(collection: string, ids: string[]): Promise<Map<string, StoredDoc>> {
    const out = new Map<string, StoredDoc>();
    const table = rmTable(collection);
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const marks = chunk.map(() => '?').join(',');
      const rows = this.conn
        .stmt<string[], { id: string; pos: number; doc: string }>(`SELECT id, pos, doc FROM ${table} WHERE id IN (${marks})`)
        .all(...chunk);
      for (const r of rows) out.set(r.id, { doc: JSON.parse(r.doc) as ReadDoc, position: r.pos });
      if (rows.length < chunk.length) {
        const tombs = this.conn
          .stmt<string[], { id: string; pos: number }>(`SELECT id, pos FROM rm_tombstones WHERE collection = ? AND id IN (${marks})`)
          .all(collection, ...chunk);
        for (const t of tombs) if (!out.has(t.id)) out.set(t.id, { doc: null, position: t.pos });
      }
    }
    return out;
  }

  async loadCheckpoints(names: string[]): Promise<Map<string, number | null>> {
    const get = this.conn.stmt<[string], { position: number | null }>('SELECT position FROM rm_checkpoints WHERE name = ?');
    return new Map(names.map((n) => [n, get.get(n)?.position ?? null]));
  }

  async commit(writes: DocWrite[], checkpoints: CheckpointMove[]): Promise<void> {
    const now = new Date().toISOString();
    immediate(this.db, () => {
      for (const c of checkpoints) {
        const current = this.conn.stmt<[string], { position: number | null }>('SELECT position FROM rm_checkpoints WHERE name = ?').get(c.name);
        if ((current?.position ?? null) !== c.from)
          throw new ConcurrencyError(`checkpoint:${c.name}`, String(c.from), String(current?.position ?? null));
        this.conn
          .stmt('INSERT INTO rm_checkpoints (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at')
          .run(c.name, c.to, now);
      }
      for (const w of writes) {
        if (w.doc) {
          // A tombstone at or after this position means the document was removed later: keep it removed.
          const tomb = this.conn.stmt<[string, string], { pos: number }>('SELECT pos FROM rm_tombstones WHERE collection = ? AND id = ?').get(w.collection, w.id);
          if (tomb && tomb.pos >= w.position) continue;
          const { stmt, extract } = this.upsert(w.collection);
          stmt.run(w.id, w.position, JSON.stringify(w.doc), ...extract.map((f) => f(w.doc as never)));
          if (tomb) this.conn.stmt('DELETE FROM rm_tombstones WHERE collection = ? AND id = ?').run(w.collection, w.id);
        } else {
          this.conn.stmt(`DELETE FROM ${rmTable(w.collection)} WHERE id = ? AND pos < ?`).run(w.id, w.position);
          this.conn
            .stmt('INSERT INTO rm_tombstones (collection, id, pos) VALUES (?, ?, ?) ON CONFLICT(collection, id) DO UPDATE SET pos = excluded.pos WHERE pos < excluded.pos')
            .run(w.collection, w.id, w.position);
        }
      }
    });
  }

  /** Writes a document unless a newer one is stored; the indexed columns are copied from it. */
  private upsert(collection: string) {
    let u = this.upserts.get(collection);
    if (!u) {
      const names = Object.keys(COLUMNS[collection] ?? {});
      const cols = ['id', 'pos', 'doc', ...names];
      const stmt = this.conn.db.prepare(
        `INSERT INTO ${rmTable(collection)} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
         ON CONFLICT(id) DO UPDATE SET ${cols.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')} WHERE pos < excluded.pos`,
      );
      u = { stmt, extract: names.map((n) => COLUMNS[collection][n]) };
      this.upserts.set(collection, u);
    }
    return u;
  }

  async reset(collections: string[], checkpointNames: string[]): Promise<void> {
    immediate(this.db, () => {
      for (const c of collections) {
        this.conn.stmt(`DELETE FROM ${rmTable(c)}`).run();
        this.conn.stmt('DELETE FROM rm_tombstones WHERE collection = ?').run(c);
      }
      for (const n of checkpointNames) this.conn.stmt('DELETE FROM rm_checkpoints WHERE name = ?').run(n);
    });
  }

  async ping(): Promise<void> {
    this.conn.stmt('SELECT 1').get();
  }
}
