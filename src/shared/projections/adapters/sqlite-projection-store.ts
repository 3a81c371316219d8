import { Statement } from 'better-sqlite3';
import { Db, SqliteConnection, immediate, snapshot } from '../../sqlite/sqlite-database';
import { ConcurrencyError } from '../../event-sourcing/errors';
import { COLLECTIONS } from '../../read-models/documents';
import { COLUMNS, collectionSchema, rmPrefix, rmTable, sharedSchema } from '../../read-models/adapters/sqlite-read-model.schema';
import { META_SCHEMA, activeGeneration, checkpointGeneration } from '../../read-models/adapters/sqlite-generations';
import { ReadDoc } from '../projection';
import { CheckpointMove, DocWrite, ProjectionGenerations, ProjectionRef, ProjectionStore, StoredDoc } from '../projection-store.port';
import { SqliteGenerationLifecycle } from './sqlite-generation-lifecycle';

const CHUNK = 500;

/**
 * Projection documents in the same SQLite file as the events. A batch of documents and its
 * checkpoints commit in one transaction, so a crash never leaves one without the other and a
 * second projector (another process on the same file) loses the checkpoint compare-and-set.
 *
 * Without `fixedGeneration` the store follows each projection's active generation, resolved in the
 * same transaction as the statements that use it; so after a rebuild switches a projection, the
 * live projector's next commit fails its compare-and-set against the new generation's checkpoint
 * and it resumes from there. A following store never meets a dropped table: a switch never drops
 * the generation it activates nor the one it replaces, and a resolved generation is used inside one
 * snapshot. A store bound to a generation (`forGeneration`) is the rebuild's, whose generation
 * stays until it is activated.
 */
export class SqliteProjectionStore extends ProjectionStore {
  readonly kind = 'sqlite';
  private readonly db: Db;
  private readonly upserts = new Map<string, { stmt: Statement; extract: ((doc: never) => unknown)[] }>();
  /** Tables known to exist, as `generation:collection` (`generation:` for checkpoints and tombstones). */
  private readonly ready = new Set<string>();
  private readonly lifecycle: SqliteGenerationLifecycle;

  constructor(
    private readonly conn: SqliteConnection,
    private readonly fixedGeneration?: number,
  ) {
    super();
    this.db = conn.db;
    this.db.exec(META_SCHEMA);
    this.lifecycle = new SqliteGenerationLifecycle(conn, (g) => this.forgetGeneration(g));
    // Tables are created outside read transactions (DDL there would need the write lock): the
    // active generations' here, a new generation's when a rebuild begins it, the rest on writes.
    if (fixedGeneration !== undefined) this.ensure(fixedGeneration, '');
    else immediate(this.db, () => Object.values(COLLECTIONS).forEach((c) => this.docsGeneration(c, true)));
  }

  /** The generation of a collection's documents and tombstones; `create` (under the write lock) makes its tables. */
  private docsGeneration(collection: string, create = false): number {
    const g = this.fixedGeneration ?? activeGeneration(this.conn, collection);
    if (create) this.ensure(g, collection);
    return g;
  }

  private checkpointsGeneration(name: string, create = false): number {
    const g = this.fixedGeneration ?? checkpointGeneration(this.conn, name);
    if (create) this.ensure(g, '');
    return g;
  }

  /** Creates the tables of `g` (its checkpoints and tombstones, and `collection`'s) unless known to exist. */
  private ensure(g: number, collection: string) {
    const keys = collection ? [`${g}:`, `${g}:${collection}`] : [`${g}:`];
    if (keys.every((k) => this.ready.has(k))) return;
    immediate(this.db, () => this.db.exec(sharedSchema(g) + (collection ? collectionSchema(collection, g) : '')));
    keys.forEach((k) => this.ready.add(k));
  }

  private forgetGeneration(g: number) {
    for (const k of [...this.ready]) if (k.startsWith(`${g}:`)) this.ready.delete(k);
    for (const k of [...this.upserts.keys()]) if (k.startsWith(`${g}:`)) this.upserts.delete(k);
  }

  async getMany(collection: string, ids: string[]): Promise<Map<string, StoredDoc>> {
    const out = new Map<string, StoredDoc>();
    if (this.fixedGeneration !== undefined) this.ensure(this.fixedGeneration, collection);
    snapshot(this.db, () => {
      const g = this.docsGeneration(collection);
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
    });
    return out;
  }

  async loadCheckpoints(names: string[]): Promise<Map<string, number | null>> {
    return snapshot(this.db, () => new Map(names.map((n) => [n, this.checkpointAt(n)])));
  }

  private checkpointAt(name: string): number | null {
    const p = rmPrefix(this.checkpointsGeneration(name));
    return this.conn.stmt<[string], { position: number | null }>(`SELECT position FROM ${p}checkpoints WHERE name = ?`).get(name)?.position ?? null;
  }

  async commit(writes: DocWrite[], checkpoints: CheckpointMove[]): Promise<void> {
    const now = new Date().toISOString();
    immediate(this.db, () => {
      // Generations are resolved inside the transaction: a switch cannot slip between check and write.
      for (const c of checkpoints) {
        const p = rmPrefix(this.checkpointsGeneration(c.name, true));
        const current = this.checkpointAt(c.name);
        if (current !== c.from) throw new ConcurrencyError(`checkpoint:${c.name}`, String(c.from), String(current));
        this.conn
          .stmt(
            `INSERT INTO ${p}checkpoints (name, position, updated_at) VALUES (?, ?, ?)
             ON CONFLICT(name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
          )
          .run(c.name, c.to, now);
      }
      for (const w of writes) {
        const g = this.docsGeneration(w.collection, true);
        const p = rmPrefix(g);
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
      for (const c of collections) {
        const g = this.docsGeneration(c, true);
        this.conn.stmt(`DELETE FROM ${rmTable(c, g)}`).run();
        this.conn.stmt(`DELETE FROM ${rmPrefix(g)}tombstones WHERE collection = ?`).run(c);
      }
      for (const n of checkpointNames) this.conn.stmt(`DELETE FROM ${rmPrefix(this.checkpointsGeneration(n, true))}checkpoints WHERE name = ?`).run(n);
    });
  }

  async generations(projections: ProjectionRef[]): Promise<Map<string, ProjectionGenerations>> {
    return this.lifecycle.generations(projections);
  }

  async beginGeneration(projections: ProjectionRef[]): Promise<Map<string, number>> {
    return this.lifecycle.begin(projections);
  }

  forGeneration(generation: number): ProjectionStore {
    return new SqliteProjectionStore(this.conn, generation);
  }

  async activateGeneration(generation: number, projections: ProjectionRef[]): Promise<void> {
    this.lifecycle.activate(generation, projections);
  }

  async ping(): Promise<void> {
    this.conn.stmt('SELECT 1').get();
  }
}
