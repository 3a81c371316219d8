import { CursorKey, InstanceFilter, OrderBy, OrderDirection } from '../../shared/read-models/read-model.ports';
import { InstanceDoc } from '../../shared/read-models/documents';
import { ValidationError } from '../../shared/event-sourcing/errors';
import { InstanceFilterDto } from './instances.dto';

/** The API shape of an instance; deletion details only for deleted ones. */
export function instanceView(d: InstanceDoc) {
  const base = {
    id: d.id,
    definitionId: d.definitionId,
    name: d.name,
    correlationId: d.correlationId,
    status: d.status,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    finishedAt: d.finishedAt,
    bookmarkCount: d.bookmarkCount,
    blobCount: d.blobCount,
    isDeleted: d.isDeleted,
    deletedAt: d.deletedAt,
  };
  if (!d.isDeleted) return base;
  return {
    ...base,
    deletedBy: d.deletedBy,
    deleteReason: d.deleteReason,
    purgeAfter: d.purgeAfter,
    deletionOperationId: d.deletionOperationId,
    purgeFailed: d.purge.failed,
  };
}

export function toFilter(dto: InstanceFilterDto): InstanceFilter {
  return {
    status: dto.status,
    definitionId: dto.definitionId,
    correlationId: dto.correlationId,
    search: dto.search,
    createdAfter: dto.createdAfter && new Date(dto.createdAfter).toISOString(),
    createdBefore: dto.createdBefore && new Date(dto.createdBefore).toISOString(),
    deleted: dto.deleted ?? 'exclude',
  };
}

/** Cursors are opaque: base64url of the sort key, bound to the order they were made for. */
export function encodeCursor(key: CursorKey, orderBy: OrderBy, dir: OrderDirection): string {
  return Buffer.from(JSON.stringify({ v: key.value, i: key.id, o: orderBy, d: dir })).toString('base64url');
}

export function decodeCursor(cursor: string, orderBy: OrderBy, dir: OrderDirection): CursorKey {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof c.v === 'string' && typeof c.i === 'string' && c.o === orderBy && c.d === dir) return { value: c.v, id: c.i };
  } catch {
    /* falls through to the error below */
  }
  throw new ValidationError('cursor is invalid or was made for another order; use nextCursor from a previous page');
}
