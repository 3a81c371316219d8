import { Collection, MongoServerError } from 'mongodb';
import { MONGO_COLLECTIONS, MongoConnection } from '../../mongo/mongo-connection';
import { Lease, LeaseStore } from '../lease-store.port';

interface LeaseDocument {
  _id: string;
  /** null once released, so the next holder (even the same owner) gets a new epoch. */
  owner: string | null;
  epoch: number;
  until: Date;
}

const DUPLICATE_KEY = 11000;

/**
 * LeaseStore on one MongoDB document per lease. Single-document writes are atomic, so a
 * conditional `findOneAndUpdate` lets exactly one replica take a free or expired lease. The
 * document is never deleted: its epoch must keep increasing across releases.
 */
export class MongoLeaseStore extends LeaseStore {
  private readonly leases: Collection<LeaseDocument>;

  constructor(conn: MongoConnection) {
    super();
    this.leases = conn.db.collection<LeaseDocument>(MONGO_COLLECTIONS.leases);
  }

  async acquire(name: string, owner: string, ttlMs: number, now: Date): Promise<Lease | null> {
    const until = new Date(now.getTime() + ttlMs);
    try {
      const doc = await this.leases.findOneAndUpdate(
        { _id: name, $or: [{ until: { $lte: now } }, { owner }] },
        // A pipeline update sees the document as it was: the epoch moves only when the owner
        // changes (also on the upsert, where `$owner` is missing), never on a renewal. `$literal`
        // keeps an owner that starts with `$` from being read as a field path.
        [
          {
            $set: {
              epoch: {
                $cond: [{ $eq: ['$owner', { $literal: owner }] }, '$epoch', { $add: [{ $ifNull: ['$epoch', 0] }, 1] }],
              },
              owner: { $literal: owner },
              until: { $literal: until },
            },
          },
        ],
        { upsert: true, returnDocument: 'after' },
      );
      return doc && doc.owner === owner ? { name, owner, epoch: doc.epoch, until: doc.until } : null;
    } catch (e) {
      // The filter missed an existing document (held by another owner) and the upsert collided
      // on _id; the same happens to the loser of two first-time acquires.
      if (e instanceof MongoServerError && e.code === DUPLICATE_KEY) return null;
      throw e;
    }
  }

  async release(name: string, owner: string, epoch: number): Promise<void> {
    await this.leases.updateOne({ _id: name, owner, epoch }, { $set: { owner: null, until: new Date(0) } });
  }

  async isHeld(name: string, owner: string, epoch: number, now: Date): Promise<boolean> {
    const doc = await this.leases.findOne({ _id: name, owner, epoch, until: { $gt: now } }, { projection: { _id: 1 } });
    return doc !== null;
  }
}
