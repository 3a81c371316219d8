export interface Lease {
  name: string;
  owner: string;
  /** Fencing token: strictly increases every time the lease changes hands; kept on renewal. */
  epoch: number;
  until: Date;
}

/**
 * Time-bounded exclusive leases shared by all replicas (one purge runner, one projector).
 * Every adapter passes `test/integration/lease-store.contract.ts`.
 */
export abstract class LeaseStore {
  /**
   * Takes the lease when it is free or expired, renews it when `owner` holds it; `null` when
   * another owner holds an unexpired lease.
   */
  abstract acquire(name: string, owner: string, ttlMs: number, now: Date): Promise<Lease | null>;

  /** Gives the lease up if `owner` holds it with `epoch`; otherwise does nothing. */
  abstract release(name: string, owner: string, epoch: number): Promise<void>;

  /**
   * Fencing check before a write that matters: true only while `owner` still holds the lease
   * with `epoch` and it has not expired at `now`.
   */
  abstract isHeld(name: string, owner: string, epoch: number, now: Date): Promise<boolean>;
}
