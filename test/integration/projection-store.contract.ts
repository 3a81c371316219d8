import { ConcurrencyError } from '../../src/shared/event-sourcing/errors';
import { DocWrite, ProjectionStore, StoredDoc } from '../../src/shared/projections/projection-store.port';
import { BookmarkDoc, COLLECTIONS, DefinitionDoc } from '../../src/shared/read-models/documents';

export interface ProjectionStoreSubject {
  store: ProjectionStore;
  /** Another store on the same storage, as another process would open it (closed by `close`). */
  reopen(): Promise<ProjectionStore>;
  /** How long another process may take to see a switch (MongoDB: the alias cache), 0 when at once. */
  followDelayMs?: number;
  /** Removes everything the subject created. */
  close(): Promise<void>;
}

const DEFS = COLLECTIONS.definitions;
const BOOKMARKS = COLLECTIONS.bookmarks;
const CREATED = '2025-03-01T10:00:00.000Z';

const definition = (id: string, name: string, deleted = false): DefinitionDoc => ({
  id,
  name,
  createdAt: CREATED,
  isDeleted: deleted,
  deletedAt: deleted ? '2025-03-02T10:00:00.000Z' : null,
  deletionOperationId: deleted ? 'op-1' : null,
});
const bookmark = (id: string, instanceId: string): BookmarkDoc => ({ id, instanceId, name: 'approve', createdAt: CREATED });

const put = (collection: string, doc: { id: string }, position: number): DocWrite => ({ collection, id: doc.id, position, doc });
const remove = (collection: string, id: string, position: number): DocWrite => ({ collection, id, position, doc: null });

/** The ProjectionStore contract; `make` returns a fresh, empty store for every test. */
export function projectionStoreContract(name: string, make: () => Promise<ProjectionStoreSubject>): void {
  describe(`ProjectionStore contract: ${name}`, () => {
    let subject: ProjectionStoreSubject;
    let store: ProjectionStore;

    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.close();
    });

    const docs = async (collection: string, ids: string[]): Promise<Record<string, StoredDoc>> =>
      Object.fromEntries(await store.getMany(collection, ids));
    const checkpoint = async (n: string) => (await store.loadCheckpoints([n])).get(n) ?? null;

    it('an empty store has no documents and no checkpoints', async () => {
      expect(await docs(DEFS, ['d1'])).toEqual({});
      expect(await checkpoint('definitions')).toBeNull();
    });

    it('commit stores documents with their position; ids never written are absent', async () => {
      await store.commit([put(DEFS, definition('d1', 'one'), 5), put(DEFS, definition('d2', 'two'), 6)], []);
      expect(await docs(DEFS, ['d1', 'd2', 'd3'])).toEqual({
        d1: { doc: definition('d1', 'one'), position: 5 },
        d2: { doc: definition('d2', 'two'), position: 6 },
      });
    });

    it('a write at a later position replaces the document', async () => {
      await store.commit([put(DEFS, definition('d1', 'one'), 5)], []);
      await store.commit([put(DEFS, definition('d1', 'one', true), 9)], []);
      expect(await docs(DEFS, ['d1'])).toEqual({ d1: { doc: definition('d1', 'one', true), position: 9 } });
    });

    it('a write at the same or an older position changes nothing (replays are harmless)', async () => {
      await store.commit([put(DEFS, definition('d1', 'current'), 7)], []);
      await store.commit([put(DEFS, definition('d1', 'replayed'), 7)], []);
      await store.commit([put(DEFS, definition('d1', 'older'), 3)], []);
      expect(await docs(DEFS, ['d1'])).toEqual({ d1: { doc: definition('d1', 'current'), position: 7 } });
    });

    it('a removal leaves a tombstone that getMany returns with its position', async () => {
      await store.commit([put(DEFS, definition('d1', 'one'), 5), put(DEFS, definition('d2', 'two'), 5)], []);
      await store.commit([remove(DEFS, 'd1', 8)], []);
      expect(await docs(DEFS, ['d1', 'd2'])).toEqual({
        d1: { doc: null, position: 8 },
        d2: { doc: definition('d2', 'two'), position: 5 },
      });
    });

    it('an older write cannot bring a removed document back', async () => {
      await store.commit([put(DEFS, definition('d1', 'one'), 5)], []);
      await store.commit([remove(DEFS, 'd1', 8)], []);
      await store.commit([put(DEFS, definition('d1', 'replayed creation'), 5)], []);
      await store.commit([put(DEFS, definition('d1', 'late'), 6)], []);
      expect(await docs(DEFS, ['d1'])).toEqual({ d1: { doc: null, position: 8 } });
    });

    it('an older removal does not remove a newer document', async () => {
      await store.commit([put(DEFS, definition('d1', 'one'), 10)], []);
      await store.commit([remove(DEFS, 'd1', 9)], []);
      expect(await docs(DEFS, ['d1'])).toEqual({ d1: { doc: definition('d1', 'one'), position: 10 } });
    });

    it('of several writes to one document in one commit the highest position wins, in any order', async () => {
      await store.commit(
        [put(DEFS, definition('d1', 'at 4'), 4), put(DEFS, definition('d1', 'at 9'), 9), put(DEFS, definition('d1', 'at 6'), 6)],
        [],
      );
      await store.commit([put(DEFS, definition('d2', 'at 3'), 3), remove(DEFS, 'd2', 5)], []);
      expect(await docs(DEFS, ['d1', 'd2'])).toEqual({
        d1: { doc: definition('d1', 'at 9'), position: 9 },
        d2: { doc: null, position: 5 },
      });
    });

    it('collections are separate: the same id in two collections is two documents', async () => {
      await store.commit([put(DEFS, definition('x', 'definition'), 1), put(BOOKMARKS, bookmark('x', 'i1'), 2)], []);
      await store.commit([remove(BOOKMARKS, 'x', 3)], []);
      expect(await docs(DEFS, ['x'])).toEqual({ x: { doc: definition('x', 'definition'), position: 1 } });
      expect(await docs(BOOKMARKS, ['x'])).toEqual({ x: { doc: null, position: 3 } });
    });

    it('a checkpoint is created from null and then moved from its current value, with the documents', async () => {
      await store.commit([put(DEFS, definition('d1', 'one'), 10)], [{ name: 'definitions', from: null, to: 10 }]);
      expect(await checkpoint('definitions')).toBe(10);
      await store.commit([], [{ name: 'definitions', from: 10, to: 20 }]);
      expect(await checkpoint('definitions')).toBe(20);
      const both = await store.loadCheckpoints(['definitions', 'bookmarks']);
      expect(both.get('definitions')).toBe(20);
      expect(both.get('bookmarks') ?? null).toBeNull();
    });

    it('a stale `from` throws ConcurrencyError and leaves checkpoint and documents as they were', async () => {
      await store.commit([], [{ name: 'definitions', from: null, to: 20 }]);
      await expect(
        store.commit([put(DEFS, definition('d9', 'lost'), 25)], [{ name: 'definitions', from: 10, to: 30 }]),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.commit([], [{ name: 'definitions', from: null, to: 30 }])).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.commit([], [{ name: 'bookmarks', from: 5, to: 30 }])).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await checkpoint('definitions')).toBe(20);
      expect(await checkpoint('bookmarks')).toBeNull();
      expect(await docs(DEFS, ['d9'])).toEqual({});
    });

    it('several checkpoints move in one commit', async () => {
      await store.commit(
        [put(DEFS, definition('d1', 'one'), 4), put(BOOKMARKS, bookmark('b1', 'i1'), 4)],
        [
          { name: 'definitions', from: null, to: 4 },
          { name: 'bookmarks', from: null, to: 4 },
        ],
      );
      await store.commit(
        [],
        [
          { name: 'definitions', from: 4, to: 7 },
          { name: 'bookmarks', from: 4, to: 7 },
        ],
      );
      const cps = await store.loadCheckpoints(['definitions', 'bookmarks']);
      expect([cps.get('definitions'), cps.get('bookmarks')]).toEqual([7, 7]);
    });

    it('reset drops the documents, tombstones and checkpoints of the named projections only', async () => {
      await store.commit(
        [put(DEFS, definition('d1', 'one'), 3), put(DEFS, definition('d2', 'two'), 3), put(BOOKMARKS, bookmark('b1', 'i1'), 3)],
        [
          { name: 'definitions', from: null, to: 3 },
          { name: 'bookmarks', from: null, to: 3 },
        ],
      );
      await store.commit([remove(DEFS, 'd2', 4)], [{ name: 'definitions', from: 3, to: 4 }]);
      await store.reset([DEFS], ['definitions']);
      expect(await docs(DEFS, ['d1', 'd2'])).toEqual({});
      expect(await checkpoint('definitions')).toBeNull();
      expect(await docs(BOOKMARKS, ['b1'])).toEqual({ b1: { doc: bookmark('b1', 'i1'), position: 3 } });
      expect(await checkpoint('bookmarks')).toBe(3);
      // A rebuild starts from scratch: early positions apply again.
      await store.commit([put(DEFS, definition('d2', 'rebuilt'), 1)], [{ name: 'definitions', from: null, to: 1 }]);
      expect(await docs(DEFS, ['d2'])).toEqual({ d2: { doc: definition('d2', 'rebuilt'), position: 1 } });
    });

    describe('generations (blue/green rebuilds, per projection)', () => {
      const DEF_P = { name: 'definitions', collection: DEFS };
      const BM_P = { name: 'bookmarks', collection: BOOKMARKS };
      const BOTH = [DEF_P, BM_P];
      const docsIn = async (s: ProjectionStore, collection: string, ids: string[]): Promise<Record<string, StoredDoc>> =>
        Object.fromEntries(await s.getMany(collection, ids));
      const checkpointIn = async (s: ProjectionStore, n: string) => (await s.loadCheckpoints([n])).get(n) ?? null;
      const generations = async () => Object.fromEntries(await store.generations(BOTH));
      /** Begins a generation for the projections and returns it (they all get the same one here). */
      const begin = async (projections = BOTH) => {
        const plan = await store.beginGeneration(projections);
        expect(new Set(plan.values()).size).toBe(1);
        return plan.get(projections[0].name)!;
      };

      it('a new store has generation 0 active and nothing being built, for every projection', async () => {
        expect(await generations()).toEqual({ definitions: { active: 0, building: null }, bookmarks: { active: 0, building: null } });
      });

      it('beginGeneration returns a new generation and, while it is being built, the same one again', async () => {
        const g = await begin();
        expect(g).not.toBe(0);
        expect(await generations()).toEqual({ definitions: { active: 0, building: g }, bookmarks: { active: 0, building: g } });
        expect(await begin()).toBe(g);
        expect(await begin([BM_P])).toBe(g);
      });

      it('a new generation starts empty, even when an abandoned attempt left data under its number', async () => {
        const leftover = store.forGeneration(1);
        await leftover.commit([put(DEFS, definition('d1', 'abandoned'), 3)], [{ name: 'definitions', from: null, to: 3 }]);
        const next = store.forGeneration(await begin());
        expect(await docsIn(next, DEFS, ['d1'])).toEqual({});
        expect(await checkpointIn(next, 'definitions')).toBeNull();
      });

      it('writes through forGeneration(g) are invisible to the active store until activateGeneration(g)', async () => {
        await store.commit([put(DEFS, definition('d1', 'blue'), 5)], [{ name: 'definitions', from: null, to: 5 }]);
        const g = await begin();
        const green = store.forGeneration(g);
        await green.commit(
          [put(DEFS, definition('d1', 'green'), 5), put(DEFS, definition('d2', 'green only'), 7), remove(BOOKMARKS, 'b1', 8)],
          [{ name: 'definitions', from: null, to: 9 }],
        );
        expect(await docs(DEFS, ['d1', 'd2'])).toEqual({ d1: { doc: definition('d1', 'blue'), position: 5 } });
        expect(await docs(BOOKMARKS, ['b1'])).toEqual({});
        expect(await checkpoint('definitions')).toBe(5);

        await store.activateGeneration(g, BOTH);
        expect(await generations()).toEqual({ definitions: { active: g, building: null }, bookmarks: { active: g, building: null } });
        expect(await docs(DEFS, ['d1', 'd2'])).toEqual({
          d1: { doc: definition('d1', 'green'), position: 5 },
          d2: { doc: definition('d2', 'green only'), position: 7 },
        });
        expect(await docs(BOOKMARKS, ['b1'])).toEqual({ b1: { doc: null, position: 8 } });
        expect(await checkpoint('definitions')).toBe(9);
        await store.commit([put(DEFS, definition('d3', 'live'), 10)], [{ name: 'definitions', from: 9, to: 10 }]);
        expect(await docsIn(green, DEFS, ['d3'])).toEqual({ d3: { doc: definition('d3', 'live'), position: 10 } });
        // The generation just replaced is kept as it was.
        const blue = store.forGeneration(0);
        expect(await docsIn(blue, DEFS, ['d1', 'd3'])).toEqual({ d1: { doc: definition('d1', 'blue'), position: 5 } });
        expect(await checkpointIn(blue, 'definitions')).toBe(5);
      });

      it('switching one projection leaves the others in their generation, documents and checkpoints alike', async () => {
        await store.commit(
          [put(DEFS, definition('d1', 'blue'), 4), put(BOOKMARKS, bookmark('b1', 'i1'), 4)],
          [
            { name: 'definitions', from: null, to: 4 },
            { name: 'bookmarks', from: null, to: 4 },
          ],
        );
        const g = await begin([DEF_P]);
        expect(await generations()).toEqual({ definitions: { active: 0, building: g }, bookmarks: { active: 0, building: null } });
        await store.forGeneration(g).commit([put(DEFS, definition('d1', 'green'), 4), remove(DEFS, 'd9', 6)], [{ name: 'definitions', from: null, to: 6 }]);
        await store.activateGeneration(g, [DEF_P]);

        expect(await generations()).toEqual({ definitions: { active: g, building: null }, bookmarks: { active: 0, building: null } });
        expect(await docs(DEFS, ['d1', 'd9'])).toEqual({ d1: { doc: definition('d1', 'green'), position: 4 }, d9: { doc: null, position: 6 } });
        expect(await docs(BOOKMARKS, ['b1'])).toEqual({ b1: { doc: bookmark('b1', 'i1'), position: 4 } });
        expect(Object.fromEntries(await store.loadCheckpoints(['definitions', 'bookmarks']))).toEqual({ definitions: 6, bookmarks: 4 });
        // One commit moves both projections, each in its own generation.
        await store.commit(
          [put(DEFS, definition('d2', 'live'), 7), put(BOOKMARKS, bookmark('b2', 'i1'), 7)],
          [
            { name: 'definitions', from: 6, to: 7 },
            { name: 'bookmarks', from: 4, to: 7 },
          ],
        );
        expect(await docsIn(store.forGeneration(g), DEFS, ['d2'])).toEqual({ d2: { doc: definition('d2', 'live'), position: 7 } });
        expect(await docsIn(store.forGeneration(0), BOOKMARKS, ['b2'])).toEqual({ b2: { doc: bookmark('b2', 'i1'), position: 7 } });
        expect(await docsIn(store.forGeneration(g), BOOKMARKS, ['b2'])).toEqual({});
      });

      it('a projection switched alone leaves the others of its rebuild pending, to be resumed', async () => {
        const g = await begin();
        await store.activateGeneration(g, [BM_P]);
        expect(await generations()).toEqual({ definitions: { active: 0, building: g }, bookmarks: { active: g, building: null } });
        expect(await begin([DEF_P])).toBe(g);
        // Bookmarks, active in g, get a generation after it.
        const next = await begin([BM_P]);
        expect(next).toBeGreaterThan(g);
      });

      it('a commit prepared against the old generation fails with ConcurrencyError after the switch', async () => {
        await store.commit([put(DEFS, definition('d1', 'blue'), 10)], [{ name: 'definitions', from: null, to: 10 }]);
        const from = await checkpoint('definitions');
        expect(from).toBe(10);
        const g = await begin([DEF_P]);
        await store.forGeneration(g).commit([put(DEFS, definition('d1', 'green'), 12)], [{ name: 'definitions', from: null, to: 12 }]);
        await store.activateGeneration(g, [DEF_P]);

        await expect(
          store.commit([put(DEFS, definition('d1', 'stale batch'), 11)], [{ name: 'definitions', from, to: 11 }]),
        ).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await docs(DEFS, ['d1'])).toEqual({ d1: { doc: definition('d1', 'green'), position: 12 } });
        expect(await checkpoint('definitions')).toBe(12);
        await store.commit([put(DEFS, definition('d1', 'resumed'), 13)], [{ name: 'definitions', from: 12, to: 13 }]);
        expect(await docs(DEFS, ['d1'])).toEqual({ d1: { doc: definition('d1', 'resumed'), position: 13 } });
      });

      /** Generations 0, g1, g2 of definitions, each holding d1 = 'gen N' with the checkpoint at N + 1. */
      const threeGenerations = async () => {
        await store.commit([put(DEFS, definition('d1', 'gen 0'), 1)], [{ name: 'definitions', from: null, to: 1 }]);
        const g1 = await begin([DEF_P]);
        await store.forGeneration(g1).commit([put(DEFS, definition('d1', 'gen 1'), 2)], [{ name: 'definitions', from: null, to: 2 }]);
        await store.activateGeneration(g1, [DEF_P]);
        const g2 = await begin([DEF_P]);
        await store.forGeneration(g2).commit([put(DEFS, definition('d1', 'gen 2'), 3)], [{ name: 'definitions', from: null, to: 3 }]);
        await store.activateGeneration(g2, [DEF_P]);
        return { g1, g2 };
      };

      it('activation drops the generations older than the one it replaces', async () => {
        const { g1, g2 } = await threeGenerations();
        expect((await generations()).definitions).toEqual({ active: g2, building: null });
        expect(await docs(DEFS, ['d1'])).toEqual({ d1: { doc: definition('d1', 'gen 2'), position: 3 } });
        expect(await docsIn(store.forGeneration(g1), DEFS, ['d1'])).toEqual({ d1: { doc: definition('d1', 'gen 1'), position: 2 } });
        expect(await checkpointIn(store.forGeneration(g1), 'definitions')).toBe(2);
        expect(await docsIn(store.forGeneration(0), DEFS, ['d1'])).toEqual({});
        expect(await checkpointIn(store.forGeneration(0), 'definitions')).toBeNull();
      });

      it('rolling back to the generation just replaced keeps it and the one rolled back from', async () => {
        const { g1, g2 } = await threeGenerations();
        await store.activateGeneration(g1, [DEF_P]);
        expect((await generations()).definitions).toEqual({ active: g1, building: null });
        expect(await docs(DEFS, ['d1'])).toEqual({ d1: { doc: definition('d1', 'gen 1'), position: 2 } });
        expect(await checkpoint('definitions')).toBe(2);
        await store.activateGeneration(g1, [DEF_P]); // repeated: changes nothing
        await store.activateGeneration(g2, [DEF_P]); // and forward again
        expect(await docs(DEFS, ['d1'])).toEqual({ d1: { doc: definition('d1', 'gen 2'), position: 3 } });
        expect(await docsIn(store.forGeneration(g1), DEFS, ['d1'])).toEqual({ d1: { doc: definition('d1', 'gen 1'), position: 2 } });
      });

      it('refuses to activate a generation the projection was never built into, switching nothing', async () => {
        const g = await begin([DEF_P]);
        await expect(store.activateGeneration(g, BOTH)).rejects.toThrow(/generation \d+ of projection bookmarks was never built/);
        expect(await generations()).toEqual({ definitions: { active: 0, building: g }, bookmarks: { active: 0, building: null } });
      });

      it("another process's store follows switches, even past a generation dropped meanwhile", async () => {
        const other = await subject.reopen();
        expect(await docsIn(other, DEFS, ['d1'])).toEqual({});
        const { g2 } = await threeGenerations(); // drops generation 0, which `other` used
        if (subject.followDelayMs) await new Promise((r) => setTimeout(r, subject.followDelayMs));
        expect(await docsIn(other, DEFS, ['d1'])).toEqual({ d1: { doc: definition('d1', 'gen 2'), position: 3 } });
        expect(await checkpointIn(other, 'definitions')).toBe(3);
        await other.commit([put(DEFS, definition('d2', 'other'), 4)], [{ name: 'definitions', from: 3, to: 4 }]);
        expect(await docsIn(store.forGeneration(g2), DEFS, ['d2'])).toEqual({ d2: { doc: definition('d2', 'other'), position: 4 } });
      });

      it('reset through forGeneration(g) clears g only', async () => {
        await store.commit([put(DEFS, definition('d1', 'active'), 4)], [{ name: 'definitions', from: null, to: 4 }]);
        const green = store.forGeneration(await begin());
        await green.commit([put(DEFS, definition('d1', 'green'), 4)], [{ name: 'definitions', from: null, to: 4 }]);
        await green.reset([DEFS], ['definitions']);
        expect(await docsIn(green, DEFS, ['d1'])).toEqual({});
        expect(await checkpointIn(green, 'definitions')).toBeNull();
        expect(await docs(DEFS, ['d1'])).toEqual({ d1: { doc: definition('d1', 'active'), position: 4 } });
        expect(await checkpoint('definitions')).toBe(4);
      });
    });

    it('ping resolves', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
