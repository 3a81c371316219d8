import { definitionsProjection } from '../../modules/definitions/projections/definitions.projection';
import { bookmarksProjection } from '../../modules/instances/projections/bookmarks.projection';
import { ServiceEvent } from '../event-sourcing/all-events';
import { ConcurrencyError } from '../event-sourcing/errors';
import { RecordedEvent } from '../event-sourcing/event';
import { COLLECTIONS, DefinitionDoc } from '../read-models/documents';
import { ReadDoc } from './projection';
import { projectBatch } from './projection-runner';
import { CheckpointMove, DocWrite, ProjectionStore, StoredDoc } from './projection-store.port';

/** Documents and checkpoints in maps, with the adapters' guards: position-ordered writes, checkpoint compare-and-set. */
class InMemoryProjectionStore extends ProjectionStore {
  readonly kind = 'memory';
  readonly docs = new Map<string, Map<string, StoredDoc>>();
  readonly checkpoints = new Map<string, number>();

  async getMany(collection: string, ids: string[]): Promise<Map<string, StoredDoc>> {
    const stored = this.docs.get(collection) ?? new Map<string, StoredDoc>();
    return new Map(ids.filter((id) => stored.has(id)).map((id) => [id, stored.get(id)!]));
  }

  async loadCheckpoints(names: string[]): Promise<Map<string, number | null>> {
    return new Map(names.map((n) => [n, this.checkpoints.get(n) ?? null]));
  }

  async commit(writes: DocWrite[], moves: CheckpointMove[]): Promise<void> {
    for (const m of moves) {
      const actual = this.checkpoints.get(m.name) ?? null;
      if (actual !== m.from) throw new ConcurrencyError(`checkpoint:${m.name}`, String(m.from), String(actual));
    }
    for (const m of moves) this.checkpoints.set(m.name, m.to);
    for (const w of writes) this.put(w.collection, w.id, w.doc, w.position);
  }

  async reset(collections: string[], checkpointNames: string[]): Promise<void> {
    collections.forEach((c) => this.docs.delete(c));
    checkpointNames.forEach((n) => this.checkpoints.delete(n));
  }

  async ping(): Promise<void> {}

  // Generations are not what projectBatch uses; this double keeps one.
  async generations(): Promise<Map<string, { active: number; building: number | null }>> {
    return new Map();
  }
  async beginGeneration(): Promise<Map<string, number>> {
    throw new Error('not used by projectBatch');
  }
  forGeneration(): ProjectionStore {
    throw new Error('not used by projectBatch');
  }
  async activateGeneration(): Promise<void> {
    throw new Error('not used by projectBatch');
  }

  put(collection: string, id: string, doc: ReadDoc | null, position: number) {
    const stored = this.docs.get(collection) ?? new Map<string, StoredDoc>();
    if ((stored.get(id)?.position ?? 0) < position) stored.set(id, { doc, position });
    this.docs.set(collection, stored);
  }
}

const DEFINITION_ID = 'def-1';
const OTHER_DEFINITION_ID = 'def-2';
const INSTANCE_ID = 'inst-1';
const CREATED_AT = '2024-05-01T10:00:00.000Z';
const BOOKMARKED_AT = '2024-05-01T10:05:00.000Z';
const RESUMED_AT = '2024-05-01T10:10:00.000Z';
const DELETED_AT = '2024-05-02T09:00:00.000Z';

function recorded(position: number, event: ServiceEvent, streamId: string): RecordedEvent {
  return {
    id: `evt-${position}`,
    streamId,
    revision: 0,
    position,
    type: event.type,
    data: event.data,
    metadata: { $correlationId: 'corr-1', $causationId: 'cause-1', actor: 'alice', schemaVersion: 1 },
    createdAt: CREATED_AT,
  };
}

const definitionCreated = (position: number, definitionId = DEFINITION_ID, name = 'Invoice approval') =>
  recorded(position, { type: 'WorkflowDefinitionCreated', data: { definitionId, name, createdAt: CREATED_AT } }, `workflowDefinition-${definitionId}`);
const definitionDeleted = (position: number) =>
  recorded(
    position,
    { type: 'WorkflowDefinitionDeleted', data: { definitionId: DEFINITION_ID, operationId: 'op-1', deletedAt: DELETED_AT, deletedBy: 'alice' } },
    `workflowDefinition-${DEFINITION_ID}`,
  );
const bookmarkCreated = (position: number) =>
  recorded(
    position,
    { type: 'BookmarkCreated', data: { instanceId: INSTANCE_ID, bookmarkId: 'bm-1', name: 'approve', createdAt: BOOKMARKED_AT } },
    `workflowInstance-${INSTANCE_ID}`,
  );
const bookmarkResumed = (position: number) =>
  recorded(position, { type: 'BookmarkResumed', data: { instanceId: INSTANCE_ID, bookmarkId: 'bm-1', resumedAt: RESUMED_AT } }, `workflowInstance-${INSTANCE_ID}`);

const projections = [definitionsProjection, bookmarksProjection];
const noCheckpoints = () => new Map<string, number | null>([['definitions', null], ['bookmarks', null]]);

const invoiceApproval: DefinitionDoc = { id: DEFINITION_ID, name: 'Invoice approval', createdAt: CREATED_AT, isDeleted: false, deletedAt: null, deletionOperationId: null };
const deletedInvoiceApproval: DefinitionDoc = { ...invoiceApproval, isDeleted: true, deletedAt: DELETED_AT, deletionOperationId: 'op-1' };
const expenseApproval: DefinitionDoc = { ...invoiceApproval, id: OTHER_DEFINITION_ID, name: 'Expense approval' };
const openBookmark = { id: 'bm-1', instanceId: INSTANCE_ID, name: 'approve', createdAt: BOOKMARKED_AT };

describe('projectBatch', () => {
  it('writes each touched document once, at the position of the last event that changed it', async () => {
    const store = new InMemoryProjectionStore();
    const batch = [definitionCreated(1), bookmarkCreated(2), definitionCreated(3, OTHER_DEFINITION_ID, 'Expense approval'), definitionDeleted(4)];
    expect((await projectBatch(store, projections, noCheckpoints(), batch)).writes).toEqual([
      { collection: COLLECTIONS.definitions, id: DEFINITION_ID, position: 4, doc: deletedInvoiceApproval },
      { collection: COLLECTIONS.definitions, id: OTHER_DEFINITION_ID, position: 3, doc: expenseApproval },
      { collection: COLLECTIONS.bookmarks, id: 'bm-1', position: 2, doc: openBookmark },
    ]);
  });

  it('changes nothing when the same batch is replayed from the checkpoint it moved to', async () => {
    const store = new InMemoryProjectionStore();
    const batch = [definitionCreated(1), bookmarkCreated(2), definitionDeleted(3)];
    const first = await projectBatch(store, projections, noCheckpoints(), batch);
    await store.commit(first.writes, first.moves);
    const checkpoints = await store.loadCheckpoints(projections.map((p) => p.name));
    expect(await projectBatch(store, projections, checkpoints, batch)).toEqual({
      writes: [],
      moves: [
        { name: 'definitions', from: 3, to: 3 },
        { name: 'bookmarks', from: 3, to: 3 },
      ],
    });
  });

  it('changes nothing when the same batch is replayed from a stale checkpoint (documents written, checkpoint not)', async () => {
    const store = new InMemoryProjectionStore();
    const batch = [definitionCreated(1), bookmarkCreated(2), definitionDeleted(3)];
    const first = await projectBatch(store, projections, noCheckpoints(), batch);
    await store.commit(first.writes, []);
    expect((await projectBatch(store, projections, noCheckpoints(), batch)).writes).toEqual([]);
  });

  it('skips events at or before the stored position of a document', async () => {
    const store = new InMemoryProjectionStore();
    store.put(COLLECTIONS.definitions, DEFINITION_ID, invoiceApproval, 5);
    const batch = [definitionCreated(4, DEFINITION_ID, 'Stale name'), definitionCreated(5, DEFINITION_ID, 'Stale name'), definitionDeleted(6)];
    expect((await projectBatch(store, projections, noCheckpoints(), batch)).writes).toEqual([
      { collection: COLLECTIONS.definitions, id: DEFINITION_ID, position: 6, doc: deletedInvoiceApproval },
    ]);
  });

  it('skips events at or before the checkpoint of the projection', async () => {
    const store = new InMemoryProjectionStore();
    const checkpoints = new Map<string, number | null>([['definitions', 2], ['bookmarks', null]]);
    const batch = [definitionCreated(1), definitionCreated(2, OTHER_DEFINITION_ID, 'Expense approval'), bookmarkCreated(3)];
    expect((await projectBatch(store, projections, checkpoints, batch)).writes).toEqual([
      { collection: COLLECTIONS.bookmarks, id: 'bm-1', position: 3, doc: openBookmark },
    ]);
  });

  it('writes a tombstone for a document the projection removes', async () => {
    const store = new InMemoryProjectionStore();
    store.put(COLLECTIONS.bookmarks, 'bm-1', openBookmark, 2);
    expect((await projectBatch(store, projections, noCheckpoints(), [bookmarkResumed(3)])).writes).toEqual([
      { collection: COLLECTIONS.bookmarks, id: 'bm-1', position: 3, doc: null },
    ]);
  });

  it('writes a tombstone for a document created and removed within one batch', async () => {
    const store = new InMemoryProjectionStore();
    expect((await projectBatch(store, projections, noCheckpoints(), [bookmarkCreated(2), bookmarkResumed(3)])).writes).toEqual([
      { collection: COLLECTIONS.bookmarks, id: 'bm-1', position: 3, doc: null },
    ]);
  });

  it('writes nothing for an event that leaves a document as it is', async () => {
    const store = new InMemoryProjectionStore();
    store.put(COLLECTIONS.bookmarks, 'bm-1', null, 3);
    expect((await projectBatch(store, projections, noCheckpoints(), [bookmarkResumed(4)])).writes).toEqual([]);
  });

  it('moves every checkpoint to the last event of the batch, from the checkpoint it started at', async () => {
    const store = new InMemoryProjectionStore();
    const checkpoints = new Map<string, number | null>([['definitions', 4], ['bookmarks', null]]);
    expect((await projectBatch(store, projections, checkpoints, [definitionCreated(5), definitionDeleted(7)])).moves).toEqual([
      { name: 'definitions', from: 4, to: 7 },
      { name: 'bookmarks', from: null, to: 7 },
    ]);
  });
});
