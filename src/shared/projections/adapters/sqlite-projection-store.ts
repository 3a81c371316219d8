import { Statement } from 'better-sqlite3';
import { Db, SqliteConnection, immediate } from '../../sqlite/sqlite-database';
import { ConcurrencyError } from '../../event-sourcing/errors';
import { COLUMNS, META_SCHEMA, activeGeneration, readModelSchema, rmPrefix, rmTable } from '../../read-models/adapters/sqlite-read-model.schema';
import { ReadDoc } from '../projection';
import { CheckpointMove, DocWrite, ProjectionStore, StoredDoc } from '../projection-store.port';

const CHUNK = 500;

/**
 * Projection documents in the same SQLite file as the events. A batch of documents and its
 * checkpoints commit in one transaction, so a crash never leaves one without the other and a
 * second projector (another process on the same file) loses the checkpoint compare-and-set.
 *
 * Without `generation` the store follows the active generation, so after a rebuild switches
 * generations the live projector's next commit fails its compare-and-set and it resumes from the
 * new generation's checkpoint.
 */
export class SqliteProjectionStore extends ProjectionStore {
  readonly kind = 'sqlite';
  private readonly db: Db;
  private readonly upserts = new Map<string, { stmt: Statement; extract: ((doc: never) => unknown)[] }>();
  private readonly ready = new Set<number>();

  constructor(
    private readonly conn: SqliteConnection,
    private readonly fixedGeneration?: number,
  ) {
    super();
    this.db = conn.db;
    this.db.exec(META_SCHEMA);
    this.generation();
  }

  /** The generation this store writes, its tables created on first use. */
  private generation(): number {
    const g = this.fixedGeneration ?? activeGeneration(this.conn);
    if (!this.ready.has(g)) {
      this.db.exec(readModelSchema(g));
      this.ready.add(g);
    }
    return g;
  }

  async getMany(collection: string, ids: string[]): Promise<Map<string, StoredDoc>> {
    const g = this.generation();
    const out = new Map<string, StoredDoc>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const marks = chunk.map(() => '?').join(',');
      const rows = this.conn
        .stmt<string[], { id: string; pos: number; doc: string }>(`SELECT id, pos, doc FROM ${rmTable(collection, g)} WHERE id IN (${marks})`)
        .all(...chunk);
      for (const r of rows) out.set(r.id, { doc: JSON.parse(r.doc) as ReadDoc, position: r.pos });
      if (rows.length < chunk.length) {
        const tombs = this.conn
          .stmt<string[], { id: string; pos: number }>(`SELECT id, pos FROM ${rmPrefix(g)}tombstones WHERE collection = ? AND id IN (${marks})`)
          .all(collection, ...chunk);
        for (const t of tombs) if (!out.has(t.id)) out.set(t.id, { doc: null, position: t.pos });
      }
    }
    return out;
  }

  async loadCheckpoints(names: string[]): Promise<Map<string, number | null>> {
    const get = this.conn.stmt<[string], { position: number | null }>(`SELECT position FROM ${rmPrefix(this.generation())}checkpoints WHERE name = ?`);
    return new Map(names.map((n) => [n, get.get(n)?.position ?? null]));
  }

  async commit(writes: DocWrite[], checkpoints: CheckpointMove[]): Promise<void> {
    const now = new Date().toISOString();
    immediate(this.db, () => {
      // Resolved inside the transaction: a generation switch cannot slip between check and write.
      const g = this.generation();
      const p = rmPrefix(g);
      for (const c of checkpoints) {
        const current = this.conn.stmt<[string], { position: number | null }>(`SELECT position FROM ${p}checkpoints WHERE name = ?`).get(c.name);
        if ((current?.position ?? null) !== c.from)
          throw new ConcurrencyError(`checkpoint:${c.name}`, String(c.from), String(current?.position ?? null));
        this.conn
          .stmt(`INSERT INTO ${p}checkpoints (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`)
          .run(c.name, c.to, now);
      }
      for (const w of writes) {
        if (w.doc) {
          // A tombstone at or after this position means the document was removed later: keep it removed.
          const tomb = this.conn.stmt<[string, string], { pos: number }>(`SELECT pos FROM ${p}tombstones WHERE collection = ? AND id = ?`).get(w.collection, w.id);
          if (tomb && tomb.pos >= w.position) continue;
          const { stmt, extract } = this.upsert(w.collection, g);
          stmt.run(w.id, w.position, JSON.stringify(w.doc), ...extract.map((f) => f(w.doc as never)));
          if (tomb) this.conn.stmt(`DELETE FROM ${p}tombstones WHERE collection = ? AND id = ?`).run(w.collection, w.id);
        } else {
          this.conn.stmt(`DELETE FROM ${rmTable(w.collection, g)} WHERE id = ? AND pos < ?`).run(w.id, w.position);
          this.conn
            .stmt(`INSERT INTO ${p}tombstones (collection, id, pos) VALUES (?, ?, ?) ON CONFLICT(collection, id) DO UPDATE SET pos = excluded.pos WHERE pos < excluded.pos`)
            .run(w.collection, w.id, w.position);
        }
      }
    });
  }

  /** Writes a document unless a newer one is stored; the indexed columns are copied from it. */
  private upsert(collection: string, generation: number) {
    const key = `${generation}:${collection}`;
    let u = this.upserts.get(key);
    if (!u) {
      const names = Object.keys(COLUMNS[collection] ?? {});
      const cols = ['id', 'pos', 'doc', ...names];
      const stmt = this.db.prepare(
        `INSERT INTO ${rmTable(collection, generation)} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
         ON CONFLICT(id) DO UPDATE SET ${cols.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')} WHERE pos < excluded.pos`,
      );
      u = { stmt, extract: names.map((n) => COLUMNS[collection][n]) };
      this.upserts.set(key, u);
    }
    return u;
  }

  async reset(collections: string[], checkpointNames: string[]): Promise<void> {
    immediate(this.db, () => {
      const g = this.generation();
      for (const c of collections) {
        this.conn.stmt(`DELETE FROM ${rmTable(c, g)}`).run();
        this.conn.stmt(`DELETE FROM ${rmPrefix(g)}tombstones WHERE collection = ?`).run(c);
      }
      for (const n of checkpointNames) this.conn.stmt(`DELETE FROM ${rmPrefix(g)}checkpoints WHERE name = ?`).run(n);
    });
  }

  async generations(): Promise<{ active: number; building: number | null }> {
    const building = this.conn.stmt<[], { value: number }>("SELECT value FROM rm_meta WHERE key = 'building'").get()?.value ?? null;
    return { active: activeGeneration(this.conn), building };
  }

  async beginGeneration(): Promise<number> {
    return immediate(this.db, () => {
      const building = this.conn.stmt<[], { value: number }>("SELECT value FROM rm_meta WHERE key = 'building'").get()?.value;
      if (building !== undefined) return building; // resume the interrupted rebuild
      const next = activeGeneration(this.conn) + 1;
      this.dropGeneration(next); // leftovers of an abandoned attempt
      this.db.exec(readModelSchema(next));
      this.conn.stmt("INSERT INTO rm_meta (key, value) VALUES ('building', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(next);
      return next;
    });
  }

  forGeneration(generation: number): ProjectionStore {
    return new SqliteProjectionStore(this.conn, generation);
  }

  async activateGeneration(generation: number): Promise<void> {
    immediate(this.db, () => {
      const previous = activeGeneration(this.conn);
      this.conn.stmt("INSERT INTO rm_meta (key, value) VALUES ('active', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(generation);
      this.conn.stmt("DELETE FROM rm_meta WHERE key = 'building'").run();
      // Keep the generation just replaced (to compare or roll back by hand); older ones go.
      for (let g = 0; g < previous; g++) this.dropGeneration(g);
    });
  }

  private dropGeneration(generation: number) {
    const prefix = rmPrefix(generation);
    const tables = this.conn
      .stmt<[string], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? ESCAPE '\\'")
      .all(`${prefix.replace(/_/g, '\\_')}%`);
    for (const t of tables) if (t.name !== 'rm_meta') this.db.exec(`DROP TABLE IF EXISTS "${t.name}"`);
    this.ready.delete(generation);
  }

  async ping(): Promise<void> {
    this.conn.stmt('SELECT 1').get();
  }
}
