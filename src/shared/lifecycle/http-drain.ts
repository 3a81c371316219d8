import { NextFunction, Request, Response } from 'express';

/**
 * Counts requests in flight and, once draining, turns new ones away with 503 and
 * `Connection: close` (load balancers take that as "go elsewhere"), so shutdown can wait for the
 * commands already accepted and no others.
 */
export class HttpDrain {
  private inFlight = 0;
  private draining = false;
  private idle: (() => void)[] = [];

  get active(): number {
    return this.inFlight;
  }

  readonly middleware = (_req: Request, res: Response, next: NextFunction) => {
    if (this.draining) {
      res.setHeader('Connection', 'close');
      res.setHeader('Retry-After', '1');
      res.status(503).json({ statusCode: 503, error: 'Service Unavailable', message: 'the service is shutting down; retry shortly' });
      return;
    }
    this.inFlight++;
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      this.inFlight--;
      if (this.inFlight === 0) for (const f of this.idle.splice(0)) f();
    };
    res.on('finish', end);
    res.on('close', end);
    next();
  };

  /** Stops taking requests; resolves with how many are still running when they finish or time runs out. */
  async drain(timeoutMs: number): Promise<number> {
    this.draining = true;
    if (this.inFlight === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((r) => this.idle.push(r)), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    return this.inFlight;
  }
}
