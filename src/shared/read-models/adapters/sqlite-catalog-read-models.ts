import { SqliteConnection } from '../../sqlite/sqlite-database';
import { AuditDoc, COLLECTIONS, DefinitionDoc, DeletionOperationDoc, PurgeBatchDoc } from '../documents';
import { DefinitionReadModel, DeletionReadModel } from '../read-model.ports';
import { META_SCHEMA, activeGeneration, rmTable } from './sqlite-read-model.schema';

type DocRow = { doc: string };
const parse = <T>(row: DocRow | undefined): T | null => (row ? (JSON.parse(row.doc) as T) : null);

export class SqliteDefinitionReadModel extends DefinitionReadModel {
  constructor(private readonly conn: SqliteConnection) {
    super();
    conn.db.exec(META_SCHEMA);
  }

  private table(collection: string) {
    return rmTable(collection, activeGeneration(this.conn));
  }

  async get(id: string, includeDeleted: boolean): Promise<DefinitionDoc | null> {
    const doc = parse<DefinitionDoc>(
      this.conn.stmt<[string], DocRow>(`SELECT doc FROM ${this.table(COLLECTIONS.definitions)} WHERE id = ?`).get(id),
    );
    return doc && (includeDeleted || !doc.isDeleted) ? doc : null;
  }

  async list(): Promise<DefinitionDoc[]> {
    return this.conn
      .stmt<[], DocRow>(`SELECT doc FROM ${this.table(COLLECTIONS.definitions)} WHERE is_deleted = 0 ORDER BY name, id`)
      .all()
      .map((r) => JSON.parse(r.doc) as DefinitionDoc);
  }
}

export class SqliteDeletionReadModel extends DeletionReadModel {
  constructor(private readonly conn: SqliteConnection) {
    super();
    conn.db.exec(META_SCHEMA);
  }

  private table(collection: string) {
    return rmTable(collection, activeGeneration(this.conn));
  }

  async getOperation(id: string): Promise<DeletionOperationDoc | null> {
    return parse(this.conn.stmt<[string], DocRow>(`SELECT doc FROM ${this.table(COLLECTIONS.operations)} WHERE id = ?`).get(id));
  }

  async listOperations(q: { limit: number; from?: string; to?: string; actor?: string }): Promise<DeletionOperationDoc[]> {
    const parts: string[] = [];
    const params: unknown[] = [];
    if (q.from) (parts.push('requested_at >= ?'), params.push(q.from));
    if (q.to) (parts.push('requested_at < ?'), params.push(q.to));
    if (q.actor) (parts.push('requested_by = ?'), params.push(q.actor));
    return this.conn
      .stmt<unknown[], DocRow>(
        `SELECT doc FROM ${this.table(COLLECTIONS.operations)} ${parts.length ? 'WHERE ' + parts.join(' AND ') : ''} ORDER BY requested_at DESC, id DESC LIMIT ?`,
      )
      .all(...params, q.limit)
      .map((r) => JSON.parse(r.doc) as DeletionOperationDoc);
  }

  async getBatch(id: string): Promise<PurgeBatchDoc | null> {
    return parse(this.conn.stmt<[string], DocRow>(`SELECT doc FROM ${this.table(COLLECTIONS.batches)} WHERE id = ?`).get(id));
  }

  async openBatches(limit: number): Promise<PurgeBatchDoc[]> {
    return this.conn
      .stmt<[number], DocRow>(`SELECT doc FROM ${this.table(COLLECTIONS.batches)} WHERE completed_at IS NULL ORDER BY requested_at LIMIT ?`)
      .all(limit)
      .map((r) => JSON.parse(r.doc) as PurgeBatchDoc);
  }

  async audit(instanceId: string): Promise<AuditDoc | null> {
    return parse(this.conn.stmt<[string], DocRow>(`SELECT doc FROM ${this.table(COLLECTIONS.audit)} WHERE id = ?`).get(instanceId));
  }
}
