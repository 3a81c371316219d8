import { LeaseStore } from '../../src/shared/leases/lease-store.port';

export interface LeaseStoreSubject {
  store: LeaseStore;
  /** Removes everything the subject created. */
  close(): Promise<void>;
}

const LEASE = 'purge';
const TTL = 30_000;
const T0 = new Date('2025-03-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/**
 * The LeaseStore contract; `make` returns a fresh, empty store for every test. Time comes in as
 * `now`: a lease acquired at `t` with `ttl` is held while `now < t + ttl` and free from `t + ttl` on.
 */
export function leaseStoreContract(name: string, make: () => Promise<LeaseStoreSubject>): void {
  describe(`LeaseStore contract: ${name}`, () => {
    let subject: LeaseStoreSubject;
    let store: LeaseStore;

    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.close();
    });

    it('takes a free lease, which is then held by its owner and epoch', async () => {
      const lease = await store.acquire(LEASE, 'a', TTL, T0);
      expect(lease).toEqual({ name: LEASE, owner: 'a', epoch: expect.any(Number), until: at(TTL) });
      expect(await store.isHeld(LEASE, 'a', lease!.epoch, at(TTL - 1))).toBe(true);
    });

    it('a renewal by the holder extends the lease and keeps the epoch', async () => {
      const first = await store.acquire(LEASE, 'a', TTL, T0);
      const renewed = await store.acquire(LEASE, 'a', TTL, at(10_000));
      expect(renewed).toEqual({ name: LEASE, owner: 'a', epoch: first!.epoch, until: at(10_000 + TTL) });
      expect(await store.isHeld(LEASE, 'a', first!.epoch, at(TTL + 5_000))).toBe(true);
    });

    it('another owner gets null while the lease is held, and changes nothing', async () => {
      const a = await store.acquire(LEASE, 'a', TTL, T0);
      expect(await store.acquire(LEASE, 'b', TTL, at(TTL - 1))).toBeNull();
      expect(await store.isHeld(LEASE, 'a', a!.epoch, at(TTL - 1))).toBe(true);
      expect(await store.isHeld(LEASE, 'b', a!.epoch, at(TTL - 1))).toBe(false);
    });

    it('an expired lease changes hands with a higher epoch, and the old holder is fenced off', async () => {
      const a = await store.acquire(LEASE, 'a', TTL, T0);
      const b = await store.acquire(LEASE, 'b', TTL, at(TTL));
      expect(b).toEqual({ name: LEASE, owner: 'b', epoch: expect.any(Number), until: at(2 * TTL) });
      expect(b!.epoch).toBeGreaterThan(a!.epoch);
      expect(await store.isHeld(LEASE, 'a', a!.epoch, at(TTL))).toBe(false);
      expect(await store.acquire(LEASE, 'a', TTL, at(TTL + 1))).toBeNull();
      await store.release(LEASE, 'a', a!.epoch);
      expect(await store.isHeld(LEASE, 'b', b!.epoch, at(TTL + 1))).toBe(true);
    });

    it('isHeld is false once expired, and for a wrong owner or epoch', async () => {
      const a = await store.acquire(LEASE, 'a', TTL, T0);
      expect(await store.isHeld(LEASE, 'a', a!.epoch, at(TTL))).toBe(false);
      expect(await store.isHeld(LEASE, 'a', a!.epoch + 1, T0)).toBe(false);
      expect(await store.isHeld(LEASE, 'z', a!.epoch, T0)).toBe(false);
      expect(await store.isHeld('never-taken', 'a', a!.epoch, T0)).toBe(false);
    });

    it('release frees the lease at once; the next holder gets a higher epoch', async () => {
      const a = await store.acquire(LEASE, 'a', TTL, T0);
      await store.release(LEASE, 'a', a!.epoch);
      expect(await store.isHeld(LEASE, 'a', a!.epoch, at(1))).toBe(false);
      const b = await store.acquire(LEASE, 'b', TTL, at(1));
      expect(b?.owner).toBe('b');
      expect(b!.epoch).toBeGreaterThan(a!.epoch);
    });

    it('release by another owner or with a stale epoch changes nothing', async () => {
      const a = await store.acquire(LEASE, 'a', TTL, T0);
      await store.release(LEASE, 'b', a!.epoch);
      await store.release(LEASE, 'a', a!.epoch + 1);
      await store.release('never-taken', 'a', a!.epoch);
      expect(await store.isHeld(LEASE, 'a', a!.epoch, at(1))).toBe(true);
      expect(await store.acquire(LEASE, 'b', TTL, at(1))).toBeNull();
    });

    it('epochs strictly increase over many changes of hands', async () => {
      const epochs: number[] = [];
      for (let i = 0; i < 6; i++) {
        const owner = i % 2 === 0 ? 'a' : 'b';
        const lease = await store.acquire(LEASE, owner, TTL, at(i * TTL));
        expect(lease?.owner).toBe(owner);
        epochs.push(lease!.epoch);
      }
      for (let i = 1; i < epochs.length; i++) expect(epochs[i]).toBeGreaterThan(epochs[i - 1]);
    });

    it('leases are independent by name', async () => {
      const purge = await store.acquire('purge', 'a', TTL, T0);
      const projector = await store.acquire('projector', 'b', TTL, T0);
      expect(purge?.owner).toBe('a');
      expect(projector?.owner).toBe('b');
      expect(await store.isHeld('projector', 'a', purge!.epoch, T0)).toBe(false);
    });

    it('of concurrent first acquires by different owners exactly one wins', async () => {
      const owners = Array.from({ length: 8 }, (_, i) => `replica-${i}`);
      const results = await Promise.all(owners.map((o) => store.acquire(LEASE, o, TTL, T0)));
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect(await store.isHeld(LEASE, winners[0]!.owner, winners[0]!.epoch, at(1))).toBe(true);
    });

    it('of concurrent acquires of an expired lease exactly one wins', async () => {
      await store.acquire(LEASE, 'old', TTL, T0);
      const owners = Array.from({ length: 8 }, (_, i) => `replica-${i}`);
      const results = await Promise.all(owners.map((o) => store.acquire(LEASE, o, TTL, at(TTL))));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });
  });
}
