import {
  AuditDoc,
  BookmarkDoc,
  DefinitionDoc,
  DeletionOperationDoc,
  InstanceDoc,
  InstanceStatus,
  PurgeBatchDoc,
} from './documents';

export type DeletedFilter = 'exclude' | 'include' | 'only';

export interface InstanceFilter {
  status?: InstanceStatus[];
  definitionId?: string;
  correlationId?: string;
  /** Case-insensitive substring of name, id or correlation id. */
  search?: string;
  /** Inclusive lower / exclusive upper bound on createdAt (ISO strings). */
  createdAfter?: string;
  createdBefore?: string;
  deleted: DeletedFilter;
}

export type OrderBy = 'createdAt' | 'updatedAt';
export type OrderDirection = 'asc' | 'desc';

/** Keyset position: the sort value and id of the last item of the previous page. */
export interface CursorKey {
  value: string;
  id: string;
}

export interface PageRequest {
  limit: number;
  after?: CursorKey;
  orderBy: OrderBy;
  orderDirection: OrderDirection;
}

export interface InstancePage {
  items: InstanceDoc[];
  totalCount: number;
  /** Key of the last item when more items follow, else null. */
  next: CursorKey | null;
}

/**
 * Queries over definitions. Soft-deleted definitions are returned only with `includeDeleted`;
 * `list` gives the live ones by name, then id. Every query port here has adapters that pass
 * `test/integration/read-models.contract.ts`.
 */
export abstract class DefinitionReadModel {
  abstract get(id: string, includeDeleted: boolean): Promise<DefinitionDoc | null>;
  abstract list(): Promise<DefinitionDoc[]>;
}

/**
 * Queries over instances and bookmarks. "Not deleted" queries must stay fast with millions of
 * soft-deleted rows (partial indexes on both stores). Lists order by the
 * requested field, then id, in the requested direction; a cursor continues strictly after its key.
 */
export abstract class InstanceReadModel {
  /** Any instance doc, deleted or not (callers decide visibility). */
  abstract get(id: string): Promise<InstanceDoc | null>;
  /** `get` for many ids; ids without a document are absent from the map. */
  abstract getMany(ids: string[]): Promise<Map<string, InstanceDoc>>;
  abstract list(filter: InstanceFilter, page: PageRequest): Promise<InstancePage>;
  abstract count(filter: InstanceFilter): Promise<number>;
  /** Ids matching the filter, oldest first, at most `limit` (bulk delete by filter). */
  abstract selectIds(filter: InstanceFilter, limit: number): Promise<string[]>;
  /** Soft-deleted instances whose deletion belongs to the operation (for undo), at most `limit`. */
  abstract deletedByOperation(operationId: string, limit: number): Promise<string[]>;

  /**
   * Bookmarks whose instance is neither soft-deleted nor finished, optionally by name and/or
   * instance. Bookmarks of soft-deleted instances are never returned.
   */
  abstract listBookmarks(query: { name?: string; instanceId?: string; limit: number }): Promise<BookmarkDoc[]>;
  /** A bookmark by id regardless of its instance's state. */
  abstract getBookmark(id: string): Promise<BookmarkDoc | null>;
  /** Removes the bookmarks (the purge's bookmark step); returns how many existed. */
  abstract deleteBookmarks(ids: string[]): Promise<number>;

  /**
   * Soft-deleted instances the purge may claim at `now`: `purgeAfter <= now`, not given up, and
   * past their retry backoff; oldest `purgeAfter` first. (Open batches need no exclusion: under
   * the purge lease they are finished before anything new is claimed.)
   */
  abstract purgeCandidates(now: string, limit: number): Promise<string[]>;
  /** Soft-deleted instances not yet purged (the backlog), and how many of them are due at `now`. */
  abstract purgeBacklog(now: string): Promise<{ softDeleted: number; due: number }>;
}

/** Deletion operations, hard-delete batches and the audit trail. */
export abstract class DeletionReadModel {
  abstract getOperation(id: string): Promise<DeletionOperationDoc | null>;
  /** Newest first. */
  abstract listOperations(query: { limit: number; from?: string; to?: string; actor?: string }): Promise<DeletionOperationDoc[]>;
  /**
   * Operations requested before `requestedBefore` whose soft deletes never completed: a crash cut
   * their request off (recovery closes them). Oldest first. Few by nature; may scan operations.
   */
  abstract interruptedOperations(requestedBefore: string, limit: number): Promise<DeletionOperationDoc[]>;
  abstract getBatch(id: string): Promise<PurgeBatchDoc | null>;
  /** Batches requested and not completed: the purge resumes them first (crash recovery). */
  abstract openBatches(limit: number): Promise<PurgeBatchDoc[]>;
  abstract audit(instanceId: string): Promise<AuditDoc | null>;
}
