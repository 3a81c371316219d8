import { HttpException, HttpStatus } from '@nestjs/common';
import { Response } from 'express';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per caller: `perMinute` requests in any burst, refilled at `perMinute` per minute.
 * In memory, so each replica counts its own requests. 0 turns it off.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes one token for `who`, or answers 429 with `Retry-After`. */
  take(who: string, res?: Response) {
    if (this.perMinute <= 0) return;
    const t = this.now();
    const b = this.buckets.get(who) ?? { tokens: this.perMinute, at: t };
    b.tokens = Math.min(this.perMinute, b.tokens + (t - b.at) * this.perMs);
    b.at = t;
    if (b.tokens < 1) {
      this.buckets.set(who, b);
      const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000));
      res?.setHeader('Retry-After', String(retryAfter));
      throw new HttpException(
        `rate limit of ${this.perMinute} requests per minute reached for ${who.replace(/^(key|ip):/, '$1 ')}; retry after ${retryAfter} s (RATE_LIMIT_PER_MINUTE)`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    b.tokens -= 1;
    this.buckets.set(who, b);
    if (this.buckets.size > 10_000) this.sweep(t);
  }

  /** Forgets callers whose bucket has refilled: they are indistinguishable from new ones. */
  private sweep(t: number) {
    for (const [k, b] of this.buckets) if (b.tokens + (t - b.at) * this.perMs >= this.perMinute) this.buckets.delete(k);
  }
}
