import { ProjectionStore } from '../../src/shared/projections/projection-store.port';
import { BookmarkDoc, COLLECTIONS, DefinitionDoc, DeletionOperationDoc, InstanceDoc, PurgeBatchDoc } from '../../src/shared/read-models/documents';
import { DefinitionReadModel, DeletionReadModel, InstanceFilter, InstanceReadModel, PageRequest } from '../../src/shared/read-models/read-model.ports';

export interface ReadModelsSubject {
  /** Writes the documents the queries read, as the projector does. */
  store: ProjectionStore;
  definitions: DefinitionReadModel;
  instances: InstanceReadModel;
  deletions: DeletionReadModel;
  close(): Promise<void>;
}

const T = (day: number, hour = 0) => `2025-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;
const NOW = T(20);

const instance = (id: string, over: Partial<InstanceDoc> = {}): InstanceDoc => ({
  id, revision: 0, definitionId: 'orders', name: `Item ${id}`, correlationId: null, status: 'Running',
  createdAt: T(1), updatedAt: T(1), finishedAt: null, bookmarkCount: 0, blobCount: 0, blobs: [],
  isDeleted: false, deletedAt: null, deletedBy: null, deleteReason: null, purgeAfter: null, deletionOperationId: null,
  purge: { attempts: 0, retryAfter: null, failed: false }, ...over,
});
const deleted = (id: string, over: Partial<InstanceDoc> = {}) =>
  instance(id, { isDeleted: true, deletedAt: T(10), deletedBy: 'ann', purgeAfter: T(11), deletionOperationId: 'op-1', ...over });
const definition = (id: string, name: string, isDeleted = false): DefinitionDoc => ({
  id, name, createdAt: T(1), isDeleted, deletedAt: isDeleted ? T(2) : null, deletionOperationId: isDeleted ? 'op-9' : null,
});
const bookmark = (id: string, instanceId: string, name: string, day: number): BookmarkDoc => ({ id, instanceId, name, createdAt: T(day) });
const operation = (id: string, requestedAt: string, requestedBy: string): DeletionOperationDoc => ({
  id, kind: 'bulk', selection: { ids: ['a'] }, requestedAt, requestedBy, reason: null, matched: 1, softDeleted: 1, alreadyDeleted: 0,
  notFound: 0, restored: 0, purged: 0, purgeFailed: 0, purgeAfter: T(11), softDeleteCompletedAt: requestedAt, undoneAt: null,
});
const batch = (id: string, requestedAt: string, completedAt: string | null): PurgeBatchDoc => ({ id, instanceIds: ['a'], requestedAt, completedAt, purged: 0, failed: 0 });

const LIVE: InstanceFilter = { deleted: 'exclude' };
const page = (over: Partial<PageRequest> = {}): PageRequest => ({ limit: 50, orderBy: 'createdAt', orderDirection: 'asc', ...over });
const ids = (docs: { id: string }[]) => docs.map((d) => d.id);

/** The query ports' contract; `make` returns fresh, empty read models for every test. */
export function readModelsContract(name: string, make: () => Promise<ReadModelsSubject>): void {
  describe(`read-model queries contract: ${name}`, () => {
    let s: ReadModelsSubject;
    let position = 0;
    const seed = (collection: string, docs: { id: string }[]) =>
      s.store.commit(docs.map((doc) => ({ collection, id: doc.id, position: ++position, doc })), []);

    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    describe('instances', () => {
      beforeEach(() =>
        seed(COLLECTIONS.instances, [
          instance('a', { createdAt: T(1), updatedAt: T(9), correlationId: 'c-1', name: 'Invoice 100%' }),
          instance('b', { createdAt: T(2), updatedAt: T(3), status: 'Suspended', correlationId: 'c-2', name: 'Item 1000' }),
          instance('c', { createdAt: T(2), updatedAt: T(8), status: 'Completed', definitionId: 'refunds', finishedAt: T(8), name: 'Order d' }),
          instance('d', { createdAt: T(4), updatedAt: T(4), status: 'Faulted', name: 'Order_d' }),
          deleted('x', { createdAt: T(3), updatedAt: T(10), correlationId: 'c-1' }),
          deleted('y', { createdAt: T(5), updatedAt: T(10), purgeAfter: T(12), deletionOperationId: 'op-2', definitionId: 'refunds' }),
        ]),
      );

      it('get returns any instance, deleted or not; getMany leaves unknown ids out', async () => {
        expect(await s.instances.get('x')).toEqual(deleted('x', { createdAt: T(3), updatedAt: T(10), correlationId: 'c-1' }));
        expect(await s.instances.get('nope')).toBeNull();
        expect([...(await s.instances.getMany(['a', 'y', 'nope'])).keys()].sort()).toEqual(['a', 'y']);
      });

      it('lists live instances by default, deleted ones with include, only them with only; counts agree', async () => {
        const list = async (deleted: InstanceFilter['deleted']) => ids((await s.instances.list({ deleted }, page())).items);
        expect(await list('exclude')).toEqual(['a', 'b', 'c', 'd']);
        expect(await list('include')).toEqual(['a', 'b', 'c', 'x', 'd', 'y']);
        expect(await list('only')).toEqual(['x', 'y']);
        expect([await s.instances.count(LIVE), await s.instances.count({ deleted: 'include' }), await s.instances.count({ deleted: 'only' })]).toEqual([4, 6, 2]);
      });

      it.each<[string, Partial<InstanceFilter>, string[]]>([
        ['status, several', { status: ['Suspended', 'Faulted'] }, ['b', 'd']],
        ['definitionId', { definitionId: 'refunds' }, ['c']],
        ['correlationId', { correlationId: 'c-1' }, ['a']],
        ['search in name, case-insensitive', { search: 'invoice' }, ['a']],
        ['search in id, case-insensitive', { search: 'A' }, ['a']],
        ['search in correlation id', { search: 'c-2' }, ['b']],
        ['search with % taken literally', { search: '100%' }, ['a']],
        ['search with _ taken literally', { search: 'r_d' }, ['d']],
        ['createdAfter inclusive', { createdAfter: T(2) }, ['b', 'c', 'd']],
        ['createdBefore exclusive', { createdBefore: T(2) }, ['a']],
        ['filters combine', { status: ['Running', 'Completed'], createdAfter: T(2) }, ['c']],
      ])('filters by %s', async (_, filter, expected) => {
        const f = { ...LIVE, ...filter };
        expect(ids((await s.instances.list(f, page())).items)).toEqual(expected);
        expect(await s.instances.count(f)).toBe(expected.length);
        expect(await s.instances.selectIds(f, 10)).toEqual(expected);
      });

      it('orders by createdAt or updatedAt, ties broken by id in the same direction', async () => {
        const order = async (p: Partial<PageRequest>) => ids((await s.instances.list(LIVE, page(p))).items);
        expect(await order({ orderDirection: 'desc' })).toEqual(['d', 'c', 'b', 'a']);
        expect(await order({ orderBy: 'updatedAt' })).toEqual(['b', 'd', 'c', 'a']);
        expect(await order({ orderBy: 'updatedAt', orderDirection: 'desc' })).toEqual(['a', 'c', 'd', 'b']);
      });

      it.each<[PageRequest['orderBy'], PageRequest['orderDirection']]>([
        ['createdAt', 'asc'],
        ['createdAt', 'desc'],
        ['updatedAt', 'desc'],
      ])('pages by %s %s with cursors: every item once, totalCount on every page, no cursor after the last', async (orderBy, orderDirection) => {
        const all = ids((await s.instances.list({ deleted: 'include' }, page({ orderBy, orderDirection }))).items);
        const seen: string[] = [];
        let after: PageRequest['after'];
        for (let i = 0; i < 3; i++) {
          const p = await s.instances.list({ deleted: 'include' }, page({ limit: 2, orderBy, orderDirection, after }));
          expect(p.totalCount).toBe(6);
          expect(p.items).toHaveLength(2);
          seen.push(...ids(p.items));
          after = p.next ?? undefined;
          expect(p.next === null).toBe(i === 2);
        }
        expect(seen).toEqual(all);
      });

      it('a page that ends exactly at the last item has no cursor', async () => {
        expect((await s.instances.list(LIVE, page({ limit: 4 }))).next).toBeNull();
        expect((await s.instances.list(LIVE, page({ limit: 3 }))).next).toEqual({ value: T(2), id: 'c' });
      });

      it('selectIds gives the oldest first, at most limit', async () => {
        expect(await s.instances.selectIds({ deleted: 'include' }, 3)).toEqual(['a', 'b', 'c']);
      });

      it('deletedByOperation finds the soft-deleted instances of an operation', async () => {
        expect(await s.instances.deletedByOperation('op-2', 10)).toEqual(['y']);
        expect(await s.instances.deletedByOperation('op-none', 10)).toEqual([]);
      });

      it('purge candidates: due, not given up, past their backoff, oldest purgeAfter first; the backlog counts', async () => {
        await seed(COLLECTIONS.instances, [
          deleted('z', { purgeAfter: T(9) }),
          deleted('later', { purgeAfter: T(25) }),
          deleted('gave-up', { purgeAfter: T(9), purge: { attempts: 5, retryAfter: null, failed: true } }),
          deleted('backing-off', { purgeAfter: T(9), purge: { attempts: 1, retryAfter: T(21), failed: false } }),
          deleted('retry-now', { purgeAfter: T(9, 1), purge: { attempts: 1, retryAfter: T(19), failed: false } }),
        ]);
        expect(await s.instances.purgeCandidates(NOW, 10)).toEqual(['z', 'retry-now', 'x', 'y']);
        expect(await s.instances.purgeCandidates(NOW, 2)).toEqual(['z', 'retry-now']);
        expect(await s.instances.purgeBacklog(NOW)).toEqual({ softDeleted: 7, due: 5 });
      });
    });

    describe('bookmarks', () => {
      beforeEach(async () => {
        await seed(COLLECTIONS.instances, [instance('run'), instance('sus', { status: 'Suspended' }), instance('done', { status: 'Completed' }), deleted('gone')]);
        await seed(COLLECTIONS.bookmarks, [
          bookmark('b3', 'run', 'approve', 3), bookmark('b1', 'sus', 'approve', 1), bookmark('b2', 'run', 'ship', 2),
          bookmark('b4', 'done', 'approve', 1), bookmark('b5', 'gone', 'approve', 1),
        ]);
      });

      it('lists open bookmarks oldest first, never those of soft-deleted or finished instances', async () => {
        expect(ids(await s.instances.listBookmarks({ limit: 10 }))).toEqual(['b1', 'b2', 'b3']);
        expect(ids(await s.instances.listBookmarks({ name: 'approve', limit: 10 }))).toEqual(['b1', 'b3']);
        expect(ids(await s.instances.listBookmarks({ instanceId: 'gone', limit: 10 }))).toEqual([]);
        expect(ids(await s.instances.listBookmarks({ instanceId: 'run', limit: 1 }))).toEqual(['b2']);
      });

      it('getBookmark finds one whatever its instance; deleteBookmarks counts those that existed', async () => {
        expect(await s.instances.getBookmark('b5')).toEqual(bookmark('b5', 'gone', 'approve', 1));
        expect(await s.instances.deleteBookmarks(['b5', 'b4', 'nope'])).toBe(2);
        expect(await s.instances.getBookmark('b5')).toBeNull();
        expect(await s.instances.deleteBookmarks(['b5'])).toBe(0);
      });
    });

    it('definitions: live ones by name then id; deleted ones only by get with includeDeleted', async () => {
      await seed(COLLECTIONS.definitions, [definition('z', 'Alpha'), definition('a', 'Beta'), definition('m', 'Alpha'), definition('old', 'Aardvark', true)]);
      expect(ids(await s.definitions.list())).toEqual(['m', 'z', 'a']);
      expect(await s.definitions.get('old', false)).toBeNull();
      expect(await s.definitions.get('old', true)).toEqual(definition('old', 'Aardvark', true));
      expect(await s.definitions.get('nope', true)).toBeNull();
    });

    describe('deletion operations, batches, audit', () => {
      beforeEach(async () => {
        await seed(COLLECTIONS.operations, [operation('o1', T(1), 'ann'), operation('o2', T(2), 'bob'), operation('o3', T(2), 'ann'), operation('o4', T(3), 'ann')]);
        await seed(COLLECTIONS.batches, [batch('k2', T(2), null), batch('k1', T(1), null), batch('k3', T(3), T(4))]);
      });

      it('lists operations newest first (ties by id), filtered by from (inclusive), to (exclusive) and actor', async () => {
        expect(ids(await s.deletions.listOperations({ limit: 10 }))).toEqual(['o4', 'o3', 'o2', 'o1']);
        expect(ids(await s.deletions.listOperations({ limit: 2 }))).toEqual(['o4', 'o3']);
        expect(ids(await s.deletions.listOperations({ limit: 10, from: T(2), to: T(3) }))).toEqual(['o3', 'o2']);
        expect(ids(await s.deletions.listOperations({ limit: 10, actor: 'ann', to: T(3) }))).toEqual(['o3', 'o1']);
        expect(await s.deletions.getOperation('o2')).toEqual(operation('o2', T(2), 'bob'));
        expect(await s.deletions.getOperation('nope')).toBeNull();
      });

      it('interrupted operations: requested before the time and never completed, oldest first, at most limit', async () => {
        const cut = (id: string, at: string) => ({ ...operation(id, at, 'ann'), softDeleteCompletedAt: null });
        await seed(COLLECTIONS.operations, [cut('x2', T(2)), cut('x1', T(1)), cut('x5', T(5))]);
        expect(ids(await s.deletions.interruptedOperations(T(5), 10))).toEqual(['x1', 'x2']);
        expect(ids(await s.deletions.interruptedOperations(T(5), 1))).toEqual(['x1']);
        expect(ids(await s.deletions.interruptedOperations(T(1), 10))).toEqual([]);
      });

      it('open batches oldest first; any batch by id', async () => {
        expect(ids(await s.deletions.openBatches(10))).toEqual(['k1', 'k2']);
        expect(ids(await s.deletions.openBatches(1))).toEqual(['k1']);
        expect(await s.deletions.getBatch('k3')).toEqual(batch('k3', T(3), T(4)));
      });

      it('audit returns the trail of an instance, or null', async () => {
        const trail = { id: 'gone', items: [{ type: 'SoftDeleted', at: T(1), actor: 'ann', operationId: 'o1' }] };
        await seed(COLLECTIONS.audit, [trail]);
        expect(await s.deletions.audit('gone')).toEqual(trail);
        expect(await s.deletions.audit('nope')).toBeNull();
      });
    });

    it('each query reads its projection in its active generation (one projection switched alone)', async () => {
      await seed(COLLECTIONS.instances, [instance('old')]);
      await seed(COLLECTIONS.bookmarks, [bookmark('b1', 'old', 'approve', 1)]);
      const refs = [{ name: 'instances', collection: COLLECTIONS.instances }];
      const g = (await s.store.beginGeneration(refs)).get('instances')!;
      await s.store.forGeneration(g).commit([{ collection: COLLECTIONS.instances, id: 'new', position: ++position, doc: instance('new') }], []);
      expect(await s.instances.get('new')).toBeNull();
      await s.store.activateGeneration(g, refs);
      expect(await s.instances.get('new')).toEqual(instance('new'));
      expect(await s.instances.get('old')).toBeNull();
      expect(await s.instances.getBookmark('b1')).toEqual(bookmark('b1', 'old', 'approve', 1));
    });
  });
}
