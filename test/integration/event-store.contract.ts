import { randomUUID } from 'node:crypto';
import { NewEvent, RecordedEvent } from '../../src/shared/event-sourcing/event';
import { ConcurrencyError, StreamDeletedError } from '../../src/shared/event-sourcing/errors';
import { EventStore } from '../../src/shared/event-sourcing/event-store.port';

/*
 * Fixtures. Stream names and event ids are random: the EventStoreDB suite shares one server
 * (and its idempotency cache) across runs, so nothing may collide with an earlier run.
 */
const metadata = { $correlationId: 'corr-1', $causationId: 'cause-1', actor: 'user:contract', schemaVersion: 1 };

const newStream = (label: string) => `contract${label}-${randomUUID()}`;

const event = (type: string, data: unknown = { n: 1 }): NewEvent => ({ id: randomUUID(), type, data, metadata });

const events = (...types: string[]) => types.map((t, i) => event(t, { n: i }));

const summary = (e: RecordedEvent) => ({ id: e.id, streamId: e.streamId, revision: e.revision, type: e.type });

const isIncreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]);

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The behaviour every EventStore adapter must show. `make` opens a store for the suite; `close`
 * releases it (and its files).
 */
export function eventStoreContract(
  name: string,
  make: () => Promise<{ store: EventStore; close: () => Promise<void> }>,
): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ store, close } = await make());
    });

    afterAll(async () => {
      await close?.();
    });

    describe('append and readStream', () => {
      it('appends to a new stream with no_stream and reads the events back in order', async () => {
        const s = newStream('New');
        const given = events('Created', 'Renamed');

        const result = await store.append(s, given, 'no_stream');

        expect(result.nextExpectedRevision).toBe(1);
        const read = await store.readStream(s);
        expect(read.map(summary)).toEqual([
          { id: given[0].id, streamId: s, revision: 0, type: 'Created' },
          { id: given[1].id, streamId: s, revision: 1, type: 'Renamed' },
        ]);
        expect(read[0].position).toBeLessThan(read[1].position);
        expect(result.position).toBe(read[1].position);
        expect(Number.isNaN(Date.parse(read[0].createdAt))).toBe(false);
      });

      it('round-trips data and metadata unchanged', async () => {
        const s = newStream('Json');
        const data = {
          text: 'Zoë – 東京 – "quoted" \\ back',
          int: 42,
          float: 1.5,
          negative: -7,
          flag: false,
          nothing: null,
          list: [1, 'two', { three: 3 }],
          nested: { deeper: { at: '2024-01-02T03:04:05.678Z' } },
        };
        const given = event('Shaped', data);

        await store.append(s, [given], 'no_stream');

        const [read] = await store.readStream(s);
        expect(read.data).toEqual(data);
        expect(read.metadata).toEqual(metadata);
      });

      it('continues a stream at its exact revision', async () => {
        const s = newStream('Exact');
        await store.append(s, events('A', 'B'), 'no_stream');

        const result = await store.append(s, events('C'), 1);

        expect(result.nextExpectedRevision).toBe(2);
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('rejects no_stream on an existing stream with ConcurrencyError', async () => {
        const s = newStream('NoStreamConflict');
        await store.append(s, events('A'), 'no_stream');

        await expect(store.append(s, events('B'), 'no_stream')).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('rejects stream_exists on a missing stream with ConcurrencyError', async () => {
        const s = newStream('ExistsConflict');

        await expect(store.append(s, events('A'), 'stream_exists')).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(s)).toEqual([]);
      });

      it('accepts stream_exists on an existing stream', async () => {
        const s = newStream('Exists');
        await store.append(s, events('A'), 'no_stream');

        const result = await store.append(s, events('B'), 'stream_exists');

        expect(result.nextExpectedRevision).toBe(1);
      });

      it('rejects a stale exact revision with ConcurrencyError naming the stream', async () => {
        const s = newStream('Stale');
        await store.append(s, events('A', 'B'), 'no_stream');

        const error = await store.append(s, events('C'), 0).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(ConcurrencyError);
        expect((error as ConcurrencyError).streamId).toBe(s);
        expect((error as ConcurrencyError).actual).toBe('1');
        expect(await store.readStream(s)).toHaveLength(2);
      });

      it('rejects an exact revision on a missing stream with ConcurrencyError', async () => {
        const s = newStream('ExactMissing');

        await expect(store.append(s, events('A'), 0)).rejects.toBeInstanceOf(ConcurrencyError);
      });

      it("appends with 'any' whether or not the stream exists", async () => {
        const s = newStream('Any');

        const first = await store.append(s, events('A'), 'any');
        const second = await store.append(s, events('B'), 'any');

        expect([first.nextExpectedRevision, second.nextExpectedRevision]).toEqual([0, 1]);
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B']);
      });

      it('treats a retry with the same event ids at the same revision as success without duplicates', async () => {
        const s = newStream('Retry');
        await store.append(s, events('A'), 'no_stream');
        const batch = events('B', 'C');
        const first = await store.append(s, batch, 0);

        const retry = await store.append(s, batch, 0);

        expect(retry.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect(typeof retry.position).toBe('number');
        const read = await store.readStream(s);
        expect(read.map((e) => e.id)).toEqual([read[0].id, batch[0].id, batch[1].id]);
      });

      it('treats a retry of a first append (no_stream) as success', async () => {
        const s = newStream('RetryFirst');
        const batch = events('A');
        await store.append(s, batch, 'no_stream');

        const retry = await store.append(s, batch, 'no_stream');

        expect(retry.nextExpectedRevision).toBe(0);
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('reads a missing stream as []', async () => {
        expect(await store.readStream(newStream('Missing'))).toEqual([]);
      });

      it('reads many streams, existing and missing, keyed by every requested id', async () => {
        const a = newStream('ManyA');
        const b = newStream('ManyB');
        const missing = newStream('ManyMissing');
        await store.append(a, events('A1', 'A2'), 'no_stream');
        await store.append(b, events('B1'), 'no_stream');

        const read = await store.readStreams([a, missing, b]);

        expect([...read.keys()].sort()).toEqual([a, b, missing].sort());
        expect(read.get(a)!.map((e) => e.type)).toEqual(['A1', 'A2']);
        expect(read.get(b)!.map((e) => e.type)).toEqual(['B1']);
        expect(read.get(missing)).toEqual([]);
      });
    });

    describe('appendMany', () => {
      it('commits the good streams and reports the conflicting one, in input order', async () => {
        const good1 = newStream('BatchGood1');
        const conflicting = newStream('BatchConflict');
        const good2 = newStream('BatchGood2');
        await store.append(conflicting, events('Existing'), 'no_stream');

        const outcomes = await store.appendMany([
          { streamId: good1, events: events('G1'), expectedRevision: 'no_stream' },
          { streamId: conflicting, events: events('Late'), expectedRevision: 'no_stream' },
          { streamId: good2, events: events('G2a', 'G2b'), expectedRevision: 'no_stream' },
        ]);

        expect(outcomes[0]).toMatchObject({ ok: true, nextExpectedRevision: 0 });
        expect(outcomes[1]).toEqual({ ok: false, reason: 'conflict', actualRevision: 0 });
        expect(outcomes[2]).toMatchObject({ ok: true, nextExpectedRevision: 1 });
        expect((await store.readStream(good1)).map((e) => e.type)).toEqual(['G1']);
        expect((await store.readStream(conflicting)).map((e) => e.type)).toEqual(['Existing']);
        expect((await store.readStream(good2)).map((e) => e.type)).toEqual(['G2a', 'G2b']);
      });

      it('reports actualRevision null when the stream does not exist', async () => {
        const missing = newStream('BatchMissing');

        const [outcome] = await store.appendMany([{ streamId: missing, events: events('X'), expectedRevision: 3 }]);

        expect(outcome).toEqual({ ok: false, reason: 'conflict', actualRevision: null });
      });
    });

    describe('readAll', () => {
      it('reads from the start in position order, at most maxCount, without system events', async () => {
        const s = newStream('AllStart');
        const { position } = await store.append(s, events('A'), 'no_stream');

        const read = await store.readAll(null, 5);

        expect(read.length).toBeGreaterThan(0);
        expect(read.length).toBeLessThanOrEqual(5);
        expect(isIncreasing(read.map((e) => e.position))).toBe(true);
        expect(read[0].position).toBeLessThanOrEqual(position);
        expect(read.filter((e) => e.type.startsWith('$') || e.streamId.startsWith('$'))).toEqual([]);
      });

      it('reads strictly after a position (exclusive), honouring maxCount', async () => {
        const s = newStream('AllAfter');
        await store.append(s, events('E0', 'E1', 'E2'), 'no_stream');
        const [e0, e1, e2] = await store.readStream(s);

        const two = await store.readAll(e0.position, 2);
        const one = await store.readAll(e0.position, 1);
        const rest = await store.readAll(e1.position, 10);

        // One append is contiguous in the global log.
        expect(two.map(summary)).toEqual([summary(e1), summary(e2)]);
        expect(one.map(summary)).toEqual([summary(e1)]);
        expect(rest[0]).toMatchObject(summary(e2));
        expect(rest.every((e) => e.position > e1.position)).toBe(true);
        expect(isIncreasing(rest.map((e) => e.position))).toBe(true);
      });

      it('returns the same events with the same positions as readStream', async () => {
        const s = newStream('AllSame');
        const { position: start } = await store.append(newStream('AllSameBefore'), events('X'), 'no_stream');
        await store.append(s, events('A', 'B'), 'no_stream');
        const fromStream = await store.readStream(s);

        const fromAll = (await store.readAll(start, 1000)).filter((e) => e.streamId === s);

        expect(fromAll).toEqual(fromStream);
      });

      it('still returns maxCount events when system records lie in between', async () => {
        const marker = newStream('AllMarker');
        const before = newStream('AllBefore');
        const after = newStream('AllAfterSys');
        await store.append(marker, events('M'), 'no_stream');
        const { position: beforePosition } = await store.append(before, events('Before'), 'no_stream');
        // EventStoreDB writes a `$metadata` system event here; other stores write nothing visible.
        await store.truncateBefore(marker, 0);
        const { position: afterPosition } = await store.append(after, events('After'), 'no_stream');

        const read = await store.readAll(beforePosition, 1);

        expect(read).toHaveLength(1);
        expect(read[0].position).toBeGreaterThan(beforePosition);
        expect(read[0].position).toBeLessThanOrEqual(afterPosition);
        expect(read[0].type.startsWith('$')).toBe(false);
      });

      it('returns [] after the head', async () => {
        const s = newStream('AllHead');
        const { position } = await store.append(s, events('A'), 'no_stream');

        const read = await store.readAll(position, 10);

        expect(read.filter((e) => e.streamId === s)).toEqual([]);
      });
    });

    describe('headPosition', () => {
      it('is the position of the newest event', async () => {
        const s = newStream('Head');
        const { position } = await store.append(s, events('A', 'B'), 'no_stream');

        const head = await store.headPosition();

        expect(head).not.toBeNull();
        // Another writer on a shared server may have appended since.
        expect(head!).toBeGreaterThanOrEqual(position);
        expect((await store.readAll(head, 10)).filter((e) => e.streamId === s)).toEqual([]);
      });
    });

    describe('subscribe', () => {
      it('delivers existing then live events in order, and nothing after stop()', async () => {
        const s = newStream('Sub');
        const from = await store.headPosition();
        await store.append(s, events('Old1', 'Old2'), 'no_stream');
        const seen: RecordedEvent[] = [];
        const all: RecordedEvent[] = [];
        const errors: unknown[] = [];

        const sub = store.subscribe(
          from,
          async (batch) => {
            all.push(...batch);
            seen.push(...batch.filter((e) => e.streamId === s));
          },
          (e) => errors.push(e),
        );
        try {
          await waitFor(() => seen.length >= 2, 'existing events');
          await store.append(s, events('New1'), 1);
          await store.append(s, events('New2'), 2);
          await waitFor(() => seen.length >= 4, 'live events');
        } finally {
          await sub.stop();
        }
        await store.append(s, events('AfterStop'), 3);
        await new Promise((r) => setTimeout(r, 500));

        expect(seen.map((e) => [e.revision, e.type])).toEqual([
          [0, 'Old1'],
          [1, 'Old2'],
          [2, 'New1'],
          [3, 'New2'],
        ]);
        expect(isIncreasing(all.map((e) => e.position))).toBe(true);
        expect(all.every((e) => from === null || e.position > from)).toBe(true);
        expect(all.filter((e) => e.type.startsWith('$') || e.streamId.startsWith('$'))).toEqual([]);
        expect(errors).toEqual([]);
      });

      it('starts strictly after the given position', async () => {
        const s = newStream('SubAfter');
        await store.append(s, events('Skipped', 'Delivered'), 'no_stream');
        const [skipped] = await store.readStream(s);
        const seen: RecordedEvent[] = [];

        const sub = store.subscribe(
          skipped.position,
          async (batch) => {
            seen.push(...batch.filter((e) => e.streamId === s));
          },
          () => undefined,
        );
        try {
          await waitFor(() => seen.length >= 1, 'the event after the start position');
        } finally {
          await sub.stop();
        }

        expect(seen.map((e) => e.type)).toEqual(['Delivered']);
      });

      it('stops on a handler error and passes it to onError', async () => {
        const s = newStream('SubFail');
        const from = await store.headPosition();
        await store.append(s, events('Boom'), 'no_stream');
        const failure = new Error('handler failed');
        const errors: unknown[] = [];
        let calls = 0;

        const sub = store.subscribe(
          from,
          async () => {
            calls++;
            throw failure;
          },
          (e) => errors.push(e),
        );
        try {
          await waitFor(() => errors.length > 0, 'onError');
          await store.append(s, events('Ignored'), 0);
          await new Promise((r) => setTimeout(r, 300));
        } finally {
          await sub.stop();
        }

        expect(errors).toEqual([failure]);
        expect(calls).toBe(1);
      });
    });

    describe('truncateBefore', () => {
      it('leaves only the events from the revision on and seals the stream against no_stream', async () => {
        const s = newStream('Purged');
        await store.append(s, events('Created', 'Suspended', 'Purged'), 'no_stream');

        await store.truncateBefore(s, 2);

        const read = await store.readStream(s);
        expect(read.map((e) => [e.revision, e.type])).toEqual([[2, 'Purged']]);
        expect((await store.readStreams([s])).get(s)!.map((e) => e.type)).toEqual(['Purged']);
        const error = await store.append(s, events('Recreated'), 'no_stream').catch((e: unknown) => e);
        expect(error instanceof ConcurrencyError || error instanceof StreamDeletedError).toBe(true);
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['Purged']);
      });

      it('is idempotent and never brings truncated events back', async () => {
        const s = newStream('PurgedTwice');
        await store.append(s, events('A', 'B', 'C'), 'no_stream');
        await store.truncateBefore(s, 2);

        await store.truncateBefore(s, 2);
        await store.truncateBefore(s, 1);

        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['C']);
      });
    });

    describe('ping', () => {
      it('answers', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });
  });
}
