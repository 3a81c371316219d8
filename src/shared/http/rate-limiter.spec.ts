import { HttpException } from '@nestjs/common';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a minute of requests in a burst, then 429 with the wait, then refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) limiter.take('key:alice');
    const headers: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => (headers[k] = v) } as never;
    let error: unknown;
    try {
      limiter.take('key:alice', res);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpException);
    expect((error as HttpException).getStatus()).toBe(429);
    expect((error as HttpException).message).toBe('rate limit of 60 requests per minute reached for key alice; retry after 1 s (RATE_LIMIT_PER_MINUTE)');
    expect(headers['Retry-After']).toBe('1');
    limiter.take('key:bob'); // callers are counted apart
    now += 1000; // one request per second comes back
    limiter.take('key:alice');
    expect(() => limiter.take('key:alice')).toThrow(HttpException);
  });

  it('is off at 0', () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 10_000; i++) limiter.take('x');
  });
});
