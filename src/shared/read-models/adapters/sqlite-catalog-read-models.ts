import { SqliteConnection, snapshot } from '../../sqlite/sqlite-database';
import { AuditDoc, COLLECTIONS, DefinitionDoc, DeletionOperationDoc, PurgeBatchDoc } from '../documents';
import { DefinitionReadModel, DeletionReadModel } from '../read-model.ports';
import { META_SCHEMA, activeGeneration } from './sqlite-generations';
import { rmTable } from './sqlite-read-model.schema';

type DocRow = { doc: string };
const parse = <T>(row: DocRow | undefined): T | null => (row ? (JSON.parse(row.doc) as T) : null);

/** Each query resolves its collection's active generation and reads it in one snapshot. */
class Reads {
  constructor(readonly conn: SqliteConnection) {
    conn.db.exec(META_SCHEMA);
  }

  async read<T>(collection: string, fn: (table: string) => T): Promise<T> {
    return snapshot(this.conn.db, () => fn(rmTable(collection, activeGeneration(this.conn, collection))));
  }

  one<T>(collection: string, id: string): Promise<T | null> {
    return this.read(collection, (t) => parse<T>(this.conn.stmt<[string], DocRow>(`SELECT doc FROM ${t} WHERE id = ?`).get(id)));
  }

  all<T>(collection: string, sql: (table: string) => string, params: unknown[]): Promise<T[]> {
    return this.read(collection, (t) =>
      this.conn
        .stmt<unknown[], DocRow>(sql(t))
        .all(...params)
        .map((r) => JSON.parse(r.doc) as T),
    );
  }
}

export class SqliteDefinitionReadModel extends DefinitionReadModel {
  private readonly reads: Reads;
  constructor(conn: SqliteConnection) {
    super();
    this.reads = new Reads(conn);
  }

  async get(id: string, includeDeleted: boolean): Promise<DefinitionDoc | null> {
    const doc = await this.reads.one<DefinitionDoc>(COLLECTIONS.definitions, id);
    return doc && (includeDeleted || !doc.isDeleted) ? doc : null;
  }

  list(): Promise<DefinitionDoc[]> {
    return this.reads.all(COLLECTIONS.definitions, (t) => `SELECT doc FROM ${t} WHERE is_deleted = 0 ORDER BY name, id`, []);
  }
}

export class SqliteDeletionReadModel extends DeletionReadModel {
  private readonly reads: Reads;
  constructor(conn: SqliteConnection) {
    super();
    this.reads = new Reads(conn);
  }

  getOperation(id: string): Promise<DeletionOperationDoc | null> {
    return this.reads.one(COLLECTIONS.operations, id);
  }

  listOperations(q: { limit: number; from?: string; to?: string; actor?: string }): Promise<DeletionOperationDoc[]> {
    const parts: string[] = [];
    const params: unknown[] = [];
    if (q.from) (parts.push('requested_at >= ?'), params.push(q.from));
    if (q.to) (parts.push('requested_at < ?'), params.push(q.to));
    if (q.actor) (parts.push('requested_by = ?'), params.push(q.actor));
    const where = parts.length ? 'WHERE ' + parts.join(' AND ') : '';
    return this.reads.all(COLLECTIONS.operations, (t) => `SELECT doc FROM ${t} ${where} ORDER BY requested_at DESC, id DESC LIMIT ?`, [...params, q.limit]);
  }

  interruptedOperations(requestedBefore: string, limit: number): Promise<DeletionOperationDoc[]> {
    return this.reads.all(
      COLLECTIONS.operations,
      (t) => `SELECT doc FROM ${t} WHERE requested_at < ? AND json_extract(doc, '$.softDeleteCompletedAt') IS NULL ORDER BY requested_at, id LIMIT ?`,
      [requestedBefore, limit],
    );
  }

  getBatch(id: string): Promise<PurgeBatchDoc | null> {
    return this.reads.one(COLLECTIONS.batches, id);
  }

  openBatches(limit: number): Promise<PurgeBatchDoc[]> {
    return this.reads.all(COLLECTIONS.batches, (t) => `SELECT doc FROM ${t} WHERE completed_at IS NULL ORDER BY requested_at, id LIMIT ?`, [limit]);
  }

  audit(instanceId: string): Promise<AuditDoc | null> {
    return this.reads.one(COLLECTIONS.audit, instanceId);
  }
}
