import { Collection, Document, Filter } from 'mongodb';
import { MongoConnection, generationCollection } from '../../mongo/mongo-connection';
import { AuditDoc, COLLECTIONS, DefinitionDoc, DeletionOperationDoc, PurgeBatchDoc } from '../documents';
import { DefinitionReadModel, DeletionReadModel } from '../read-model.ports';

/** A read-model document as MongoProjectionStore stores it. */
export type Stored<D> = D & { _id: string; _pos: number };

/** A read-model collection of `generation` (see `generationPrefix`). */
export function collectionOf<D>(conn: MongoConnection, name: string, generation: number): Collection<Stored<D>> {
  return conn.db.collection<Stored<D>>(generationCollection(name, generation));
}

/**
 * The read-model collection in its active generation (generations are per projection). Resolved on
 * every query, through the connection's cache: after a switch made by another process, a reader may
 * keep answering from the generation just replaced for up to `ACTIVE_GENERATION_TTL_MS` (1 s); the
 * switch keeps that generation. (Only a second switch of the same projection within that second
 * could drop it under the reader, which would then see an empty collection until the cache
 * expires: a rebuild takes far longer than that.)
 */
export async function activeCollectionOf<D>(conn: MongoConnection, name: string): Promise<Collection<Stored<D>>> {
  return collectionOf<D>(conn, name, await conn.activeGeneration(name));
}

/** Strips the storage fields (`_id` duplicates `id`; `_pos` is the projection's guard). */
export function fromStored<D>(stored: Document | null): D | null {
  if (!stored) return null;
  const { _id, _pos, ...doc } = stored;
  return doc as D;
}

export class MongoDefinitionReadModel extends DefinitionReadModel {
  constructor(private readonly conn: MongoConnection) {
    super();
  }

  /** In the active generation, resolved per query. */
  private definitions(): Promise<Collection<Stored<DefinitionDoc>>> {
    return activeCollectionOf<DefinitionDoc>(this.conn, COLLECTIONS.definitions);
  }

  async get(id: string, includeDeleted: boolean): Promise<DefinitionDoc | null> {
    const filter: Filter<Stored<DefinitionDoc>> = includeDeleted ? { _id: id } : { _id: id, isDeleted: false };
    const definitions = await this.definitions();
    return fromStored<DefinitionDoc>(await definitions.findOne(filter));
  }

  async list(): Promise<DefinitionDoc[]> {
    const definitions = await this.definitions();
    const docs = await definitions.find({ isDeleted: false }).sort({ name: 1, _id: 1 }).toArray();
    return docs.map((d) => fromStored<DefinitionDoc>(d)!);
  }
}

export class MongoDeletionReadModel extends DeletionReadModel {
  constructor(private readonly conn: MongoConnection) {
    super();
  }

  // In the active generation, resolved per query.
  private operations(): Promise<Collection<Stored<DeletionOperationDoc>>> {
    return activeCollectionOf<DeletionOperationDoc>(this.conn, COLLECTIONS.operations);
  }
  private batches(): Promise<Collection<Stored<PurgeBatchDoc>>> {
    return activeCollectionOf<PurgeBatchDoc>(this.conn, COLLECTIONS.batches);
  }
  private audits(): Promise<Collection<Stored<AuditDoc>>> {
    return activeCollectionOf<AuditDoc>(this.conn, COLLECTIONS.audit);
  }

  async getOperation(id: string): Promise<DeletionOperationDoc | null> {
    const operations = await this.operations();
    return fromStored<DeletionOperationDoc>(await operations.findOne({ _id: id }));
  }

  /** `from` is inclusive and `to` exclusive on `requestedAt`, like createdAfter/createdBefore. */
  async interruptedOperations(requestedBefore: string, limit: number): Promise<DeletionOperationDoc[]> {
    const operations = await this.operations();
    const docs = await operations.find({ requestedAt: { $lt: requestedBefore }, softDeleteCompletedAt: null }).sort({ requestedAt: 1, _id: 1 }).limit(limit).toArray();
    return docs.map((d) => fromStored<DeletionOperationDoc>(d)!);
  }

  async listOperations(query: { limit: number; from?: string; to?: string; actor?: string }): Promise<DeletionOperationDoc[]> {
    const filter: Filter<Stored<DeletionOperationDoc>> = {};
    if (query.actor !== undefined) filter.requestedBy = query.actor;
    if (query.from !== undefined || query.to !== undefined) {
      filter.requestedAt = {
        ...(query.from !== undefined ? { $gte: query.from } : {}),
        ...(query.to !== undefined ? { $lt: query.to } : {}),
      };
    }
    const operations = await this.operations();
    const docs = await operations.find(filter).sort({ requestedAt: -1, _id: -1 }).limit(query.limit).toArray();
    return docs.map((d) => fromStored<DeletionOperationDoc>(d)!);
  }

  async getBatch(id: string): Promise<PurgeBatchDoc | null> {
    const batches = await this.batches();
    return fromStored<PurgeBatchDoc>(await batches.findOne({ _id: id }));
  }

  async openBatches(limit: number): Promise<PurgeBatchDoc[]> {
    const batches = await this.batches();
    const docs = await batches.find({ completedAt: null }).sort({ requestedAt: 1, _id: 1 }).limit(limit).toArray();
    return docs.map((d) => fromStored<PurgeBatchDoc>(d)!);
  }

  async audit(instanceId: string): Promise<AuditDoc | null> {
    const audits = await this.audits();
    return fromStored<AuditDoc>(await audits.findOne({ _id: instanceId }));
  }
}
