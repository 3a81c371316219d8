import { Collection, Document, Filter } from 'mongodb';
import { MongoConnection } from '../../mongo/mongo-connection';
import { AuditDoc, COLLECTIONS, DefinitionDoc, DeletionOperationDoc, PurgeBatchDoc } from '../documents';
import { DefinitionReadModel, DeletionReadModel } from '../read-model.ports';

/** A read-model document as MongoProjectionStore stores it. */
export type Stored<D> = D & { _id: string; _pos: number };

export function collectionOf<D>(conn: MongoConnection, name: string): Collection<Stored<D>> {
  return conn.db.collection<Stored<D>>(name);
}

/** Strips the storage fields (`_id` duplicates `id`; `_pos` is the projection's guard). */
export function fromStored<D>(stored: Document | null): D | null {
  if (!stored) return null;
  const { _id, _pos, ...doc } = stored;
  return doc as D;
}

export class MongoDefinitionReadModel extends DefinitionReadModel {
  private readonly definitions: Collection<Stored<DefinitionDoc>>;

  constructor(conn: MongoConnection) {
    super();
    this.definitions = collectionOf<DefinitionDoc>(conn, COLLECTIONS.definitions);
  }

  async get(id: string, includeDeleted: boolean): Promise<DefinitionDoc | null> {
    const filter: Filter<Stored<DefinitionDoc>> = includeDeleted ? { _id: id } : { _id: id, isDeleted: false };
    return fromStored<DefinitionDoc>(await this.definitions.findOne(filter));
  }

  async list(): Promise<DefinitionDoc[]> {
    const docs = await this.definitions.find({ isDeleted: false }).sort({ createdAt: 1, _id: 1 }).toArray();
    return docs.map((d) => fromStored<DefinitionDoc>(d)!);
  }
}

export class MongoDeletionReadModel extends DeletionReadModel {
  private readonly operations: Collection<Stored<DeletionOperationDoc>>;
  private readonly batches: Collection<Stored<PurgeBatchDoc>>;
  private readonly audits: Collection<Stored<AuditDoc>>;

  constructor(conn: MongoConnection) {
    super();
    this.operations = collectionOf<DeletionOperationDoc>(conn, COLLECTIONS.operations);
    this.batches = collectionOf<PurgeBatchDoc>(conn, COLLECTIONS.batches);
    this.audits = collectionOf<AuditDoc>(conn, COLLECTIONS.audit);
  }

  async getOperation(id: string): Promise<DeletionOperationDoc | null> {
    return fromStored<DeletionOperationDoc>(await this.operations.findOne({ _id: id }));
  }

  /** `from` is inclusive and `to` exclusive on `requestedAt`, like createdAfter/createdBefore. */
  async listOperations(query: { limit: number; from?: string; to?: string; actor?: string }): Promise<DeletionOperationDoc[]> {
    const filter: Filter<Stored<DeletionOperationDoc>> = {};
    if (query.actor !== undefined) filter.requestedBy = query.actor;
    if (query.from !== undefined || query.to !== undefined) {
      filter.requestedAt = {
        ...(query.from !== undefined ? { $gte: query.from } : {}),
        ...(query.to !== undefined ? { $lt: query.to } : {}),
      };
    }
    const docs = await this.operations.find(filter).sort({ requestedAt: -1, _id: -1 }).limit(query.limit).toArray();
    return docs.map((d) => fromStored<DeletionOperationDoc>(d)!);
  }

  async getBatch(id: string): Promise<PurgeBatchDoc | null> {
    return fromStored<PurgeBatchDoc>(await this.batches.findOne({ _id: id }));
  }

  async openBatches(limit: number): Promise<PurgeBatchDoc[]> {
    const docs = await this.batches.find({ completedAt: null }).sort({ requestedAt: 1, _id: 1 }).limit(limit).toArray();
    return docs.map((d) => fromStored<PurgeBatchDoc>(d)!);
  }

  async audit(instanceId: string): Promise<AuditDoc | null> {
    return fromStored<AuditDoc>(await this.audits.findOne({ _id: instanceId }));
  }
}
