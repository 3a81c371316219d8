import { EventStoreDBClient } from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EsdbEventStore } from '../../src/shared/event-sourcing/adapters/esdb-event-store';
import { SqliteEventStore } from '../../src/shared/event-sourcing/adapters/sqlite-event-store';
import { UnavailableError } from '../../src/shared/event-sourcing/errors';
import { NewEvent } from '../../src/shared/event-sourcing/event';
import { SqliteConnection } from '../../src/shared/sqlite/sqlite-database';
import { eventStoreContract } from './event-store.contract';

const esdbConnectionString = process.env.EVENTSTORE_CONNECTION_STRING;
// Nothing listens on port 1: the client gets a real connection refusal.
const unreachableEsdb = 'esdb://127.0.0.1:1?tls=false';
const metadata = { $correlationId: 'corr-1', $causationId: 'cause-1', actor: 'user:contract', schemaVersion: 1 };

eventStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'event-store-contract-'));
  const connection = new SqliteConnection(join(dir, 'events.db'));
  return {
    store: new SqliteEventStore(connection),
    close: async () => {
      connection.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

if (esdbConnectionString) {
  eventStoreContract('eventstoredb', async () => {
    const store = new EsdbEventStore(esdbConnectionString);
    return { store, close: () => store.close() };
  });

  describe('EsdbEventStore on a live server', () => {
    let store: EsdbEventStore;
    let client: EventStoreDBClient;

    beforeAll(() => {
      store = new EsdbEventStore(esdbConnectionString);
      client = EventStoreDBClient.connectionString(esdbConnectionString);
    });

    afterAll(async () => {
      await store.close();
      await client.dispose();
    });

    it('keeps existing stream metadata when truncating', async () => {
      const s = `contractMeta-${randomUUID()}`;
      const given = ['A', 'B'].map((type): NewEvent => ({ id: randomUUID(), type, data: {}, metadata }));
      await store.append(s, given, 'no_stream');
      await client.setStreamMetadata(s, { maxAge: 86_400, owner: 'contract' });

      await store.truncateBefore(s, 1);

      const { metadata: after } = await client.getStreamMetadata(s);
      expect(after).toEqual({ maxAge: 86_400, owner: 'contract', truncateBefore: 1 });
      expect((await store.readStream(s)).map((e) => e.type)).toEqual(['B']);
    });
  });
} else {
  console.log('skipped: no EventStoreDB configured (set EVENTSTORE_CONNECTION_STRING to run the EventStoreDB contract suite)');
}

describe('EsdbEventStore without a reachable server', () => {
  let store: EsdbEventStore;
  const event = (overrides: Partial<NewEvent> = {}): NewEvent => ({
    id: randomUUID(),
    type: 'A',
    data: {},
    metadata,
    ...overrides,
  });

  beforeAll(() => {
    store = new EsdbEventStore(unreachableEsdb);
  });

  afterAll(async () => {
    await store.close();
  });

  it('rejects every call with our UnavailableError, appends included', async () => {
    const s = `contractDown-${randomUUID()}`;

    await expect(store.ping()).rejects.toBeInstanceOf(UnavailableError);
    await expect(store.append(s, [event()], 'no_stream')).rejects.toBeInstanceOf(UnavailableError);
    await expect(store.appendMany([{ streamId: s, events: [event()], expectedRevision: 'no_stream' }])).rejects.toBeInstanceOf(
      UnavailableError,
    );
    await expect(store.readStream(s)).rejects.toBeInstanceOf(UnavailableError);
    await expect(store.readStreams([s])).rejects.toBeInstanceOf(UnavailableError);
    await expect(store.readAll(null, 10)).rejects.toBeInstanceOf(UnavailableError);
    await expect(store.headPosition()).rejects.toBeInstanceOf(UnavailableError);
    await expect(store.truncateBefore(s, 1)).rejects.toBeInstanceOf(UnavailableError);
  });

  it('reports a subscription that cannot connect to onError', async () => {
    const errors: unknown[] = [];
    const sub = store.subscribe(null, async () => undefined, (e) => errors.push(e));

    await new Promise((r) => setTimeout(r, 500));
    await sub.stop();

    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(UnavailableError);
  });

  it('refuses events the server or the client would mishandle before sending anything', async () => {
    const s = `contractInvalid-${randomUUID()}`;

    await expect(store.append(s, [event({ id: 'not-a-uuid' })], 'no_stream')).rejects.toThrow(/UUID/);
    await expect(store.append(s, [event({ data: { big: 1n } })], 'no_stream')).rejects.toThrow(TypeError);
    await expect(store.append(s, [event()], -2)).rejects.toThrow(TypeError);
    await expect(store.truncateBefore(s, 1.5)).rejects.toThrow(TypeError);
  });
});
