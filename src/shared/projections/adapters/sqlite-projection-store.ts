import { Db, SqliteConnection, immediate } from '../../sqlite/sqlite-database';
import { ConcurrencyError } from '../../event-sourcing/errors';
import { READ_MODEL_SCHEMA, rmTable } from '../../read-models/adapters/sqlite-read-model.schema';
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
        const table = rmTable(w.collection);
        if (w.doc) {
          // A tombstone at or after this position means the document was removed later: keep it removed.
          this.conn
            .stmt(
              `INSERT INTO ${table} (id, pos, doc) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM rm_tombstones WHERE collection = ? AND id = ? AND pos >= ?)
               ON CONFLICT(id) DO UPDATE SET pos = excluded.pos, doc = excluded.doc WHERE pos < excluded.pos`,
            )
            .run(w.id, w.position, JSON.stringify(w.doc), w.collection, w.id, w.position);
          this.conn.stmt('DELETE FROM rm_tombstones WHERE collection = ? AND id = ? AND pos < ?').run(w.collection, w.id, w.position);
        } else {
          this.conn.stmt(`DELETE FROM ${table} WHERE id = ? AND pos < ?`).run(w.id, w.position);
          this.conn
            .stmt('INSERT INTO rm_tombstones (collection, id, pos) VALUES (?, ?, ?) ON CONFLICT(collection, id) DO UPDATE SET pos = excluded.pos WHERE pos < excluded.pos')
            .run(w.collection, w.id, w.position);
        }
      }
    });
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
