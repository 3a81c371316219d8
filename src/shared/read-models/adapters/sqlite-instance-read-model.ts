import { SqliteConnection, immediate, snapshot } from '../../sqlite/sqlite-database';
import { BookmarkDoc, COLLECTIONS, InstanceDoc } from '../documents';
import { InstanceFilter, InstancePage, InstanceReadModel, PageRequest } from '../read-model.ports';
import { META_SCHEMA, activeGeneration } from './sqlite-generations';
import { rmTable } from './sqlite-read-model.schema';

const CHUNK = 500;

const SORT_COLUMN = { createdAt: 'created_at', updatedAt: 'updated_at' } as const;

/** WHERE clause and parameters for a list filter; `is_deleted = 0` stays literal for the partial indexes. */
function where(f: InstanceFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.deleted === 'exclude') parts.push('is_deleted = 0');
  if (f.deleted === 'only') parts.push('is_deleted = 1');
  if (f.status?.length) {
    parts.push(`status IN (${f.status.map(() => '?').join(',')})`);
    params.push(...f.status);
  }
  if (f.definitionId !== undefined) {
    parts.push('definition_id = ?');
    params.push(f.definitionId);
  }
  if (f.correlationId !== undefined) {
    parts.push('correlation_id = ?');
    params.push(f.correlationId);
  }
  if (f.search) {
    const like = `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    parts.push("(name LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\' OR correlation_id LIKE ? ESCAPE '\\')");
    params.push(like, like, like);
  }
  if (f.createdAfter) {
    parts.push('created_at >= ?');
    params.push(f.createdAfter);
  }
  if (f.createdBefore) {
    parts.push('created_at < ?');
    params.push(f.createdBefore);
  }
  return { sql: parts.length ? parts.join(' AND ') : '1 = 1', params };
}

/**
 * Each query resolves the active generation of the tables it reads (instances and bookmarks may be
 * in different ones after a rebuild of one projection) and runs in one snapshot with that lookup.
 */
export class SqliteInstanceReadModel extends InstanceReadModel {
  constructor(private readonly conn: SqliteConnection) {
    super();
    conn.db.exec(META_SCHEMA);
  }

  /** Tables of the active generations; call inside `read`. */
  private get T() {
    return rmTable(COLLECTIONS.instances, activeGeneration(this.conn, COLLECTIONS.instances));
  }
  private get B() {
    return rmTable(COLLECTIONS.bookmarks, activeGeneration(this.conn, COLLECTIONS.bookmarks));
  }

  private async read<T>(fn: () => T): Promise<T> {
    return snapshot(this.conn.db, fn);
  }

  get(id: string): Promise<InstanceDoc | null> {
    return this.read(() => {
      const row = this.conn.stmt<[string], { doc: string }>(`SELECT doc FROM ${this.T} WHERE id = ?`).get(id);
      return row ? (JSON.parse(row.doc) as InstanceDoc) : null;
    });
  }

  getMany(ids: string[]): Promise<Map<string, InstanceDoc>> {
    return this.read(() => {
      const out = new Map<string, InstanceDoc>();
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        const rows = this.conn.stmt<string[], { doc: string }>(`SELECT doc FROM ${this.T} WHERE id IN (${chunk.map(() => '?').join(',')})`).all(...chunk);
        for (const r of rows) {
          const doc = JSON.parse(r.doc) as InstanceDoc;
          out.set(doc.id, doc);
        }
      }
      return out;
    });
  }

  list(filter: InstanceFilter, page: PageRequest): Promise<InstancePage> {
    const w = where(filter);
    const col = SORT_COLUMN[page.orderBy];
    const dir = page.orderDirection === 'asc' ? 'ASC' : 'DESC';
    let sql = w.sql;
    const params = [...w.params];
    if (page.after) {
      sql += ` AND (${col}, id) ${page.orderDirection === 'asc' ? '>' : '<'} (?, ?)`;
      params.push(page.after.value, page.after.id);
    }
    return this.read(() => {
      const rows = this.conn
        .stmt<unknown[], { doc: string }>(`SELECT doc FROM ${this.T} WHERE ${sql} ORDER BY ${col} ${dir}, id ${dir} LIMIT ?`)
        .all(...params, page.limit + 1);
      const items = rows.slice(0, page.limit).map((r) => JSON.parse(r.doc) as InstanceDoc);
      const last = items[items.length - 1];
      return {
        items,
        totalCount: this.countNow(w),
        next: rows.length > page.limit && last ? { value: last[page.orderBy], id: last.id } : null,
      };
    });
  }

  count(filter: InstanceFilter): Promise<number> {
    return this.read(() => this.countNow(where(filter)));
  }

  private countNow(w: { sql: string; params: unknown[] }): number {
    return this.conn.stmt<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM ${this.T} WHERE ${w.sql}`).get(...w.params)!.n;
  }

  selectIds(filter: InstanceFilter, limit: number): Promise<string[]> {
    const w = where(filter);
    return this.read(() =>
      this.conn
        .stmt<unknown[], { id: string }>(`SELECT id FROM ${this.T} WHERE ${w.sql} ORDER BY created_at, id LIMIT ?`)
        .all(...w.params, limit)
        .map((r) => r.id),
    );
  }

  deletedByOperation(operationId: string, limit: number): Promise<string[]> {
    return this.read(() =>
      this.conn
        .stmt<[string, number], { id: string }>(`SELECT id FROM ${this.T} WHERE is_deleted = 1 AND deletion_operation_id = ? LIMIT ?`)
        .all(operationId, limit)
        .map((r) => r.id),
    );
  }

  listBookmarks(q: { name?: string; instanceId?: string; limit: number }): Promise<BookmarkDoc[]> {
    const parts = ["i.is_deleted = 0", "i.status IN ('Running', 'Suspended')"];
    const params: unknown[] = [];
    if (q.name !== undefined) {
      parts.push('b.name = ?');
      params.push(q.name);
    }
    if (q.instanceId !== undefined) {
      parts.push('b.instance_id = ?');
      params.push(q.instanceId);
    }
    return this.read(() =>
      this.conn
        .stmt<unknown[], { doc: string }>(
          `SELECT b.doc FROM ${this.B} b JOIN ${this.T} i ON i.id = b.instance_id WHERE ${parts.join(' AND ')} ORDER BY b.created_at, b.id LIMIT ?`,
        )
        .all(...params, q.limit)
        .map((r) => JSON.parse(r.doc) as BookmarkDoc),
    );
  }

  getBookmark(id: string): Promise<BookmarkDoc | null> {
    return this.read(() => {
      const row = this.conn.stmt<[string], { doc: string }>(`SELECT doc FROM ${this.B} WHERE id = ?`).get(id);
      return row ? (JSON.parse(row.doc) as BookmarkDoc) : null;
    });
  }

  async deleteBookmarks(ids: string[]): Promise<number> {
    return immediate(this.conn.db, () => {
      let n = 0;
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        n += this.conn.stmt(`DELETE FROM ${this.B} WHERE id IN (${chunk.map(() => '?').join(',')})`).run(...chunk).changes;
      }
      return n;
    });
  }

  purgeCandidates(now: string, limit: number): Promise<string[]> {
    return this.read(() =>
      this.conn
        .stmt<[string, string, number], { id: string }>(
          `SELECT id FROM ${this.T} WHERE is_deleted = 1 AND purge_after <= ? AND purge_failed = 0
             AND (purge_retry_after IS NULL OR purge_retry_after <= ?) ORDER BY purge_after, id LIMIT ?`,
        )
        .all(now, now, limit)
        .map((r) => r.id),
    );
  }

  purgeBacklog(now: string): Promise<{ softDeleted: number; due: number }> {
    return this.read(() => {
      const r = this.conn
        .stmt<[string], { total: number; due: number | null }>(
          `SELECT COUNT(*) AS total, SUM(CASE WHEN purge_after <= ? AND purge_failed = 0 THEN 1 ELSE 0 END) AS due FROM ${this.T} WHERE is_deleted = 1`,
        )
        .get(now)!;
      return { softDeleted: r.total, due: r.due ?? 0 };
    });
  }
}
