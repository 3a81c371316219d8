import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobStore } from '../../src/shared/blobs/blob-store.port';

export interface BlobStoreSubject {
  store: BlobStore;
  /** Removes everything the subject created (temp dir, throw-away database). */
  close(): Promise<void>;
}

const INSTANCE = 'instance-1';
const OTHER = 'instance-2';
const TEXT = 'text/plain';
const JSON_TYPE = 'application/json';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function bytesOf(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** The BlobStore contract; `make` returns a fresh, empty store for every test. */
export function blobStoreContract(name: string, make: () => Promise<BlobStoreSubject>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let subject: BlobStoreSubject;
    let store: BlobStore;

    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.close();
    });

    async function read(instanceId: string, blob: string) {
      const got = await store.get(instanceId, blob);
      return got && { info: got.info, content: await bytesOf(got.content) };
    }

    it('put returns what it stored, and get returns the same info and bytes', async () => {
      const content = Buffer.from('hello blob');
      const info = await store.put(INSTANCE, 'greeting.txt', content, TEXT);
      const expected = { name: 'greeting.txt', size: content.length, contentType: TEXT, sha256: sha256(content) };
      expect(info).toEqual(expected);
      expect(await read(INSTANCE, 'greeting.txt')).toEqual({ info: expected, content });
    });

    it('get of an unknown blob or instance is null', async () => {
      await store.put(INSTANCE, 'a', Buffer.from('a'), TEXT);
      expect(await store.get(INSTANCE, 'b')).toBeNull();
      expect(await store.get(OTHER, 'a')).toBeNull();
    });

    it('put replaces a blob of the same name: content, type and hash', async () => {
      await store.put(INSTANCE, 'doc', Buffer.from('first version'), TEXT);
      const second = Buffer.from('{"v":2}');
      await store.put(INSTANCE, 'doc', second, JSON_TYPE);
      const expected = { name: 'doc', size: second.length, contentType: JSON_TYPE, sha256: sha256(second) };
      expect(await read(INSTANCE, 'doc')).toEqual({ info: expected, content: second });
      expect(await store.list(INSTANCE)).toEqual([expected]);
    });

    it('list returns the blobs of one instance, by name', async () => {
      await store.put(INSTANCE, 'b', Buffer.from('bb'), TEXT);
      await store.put(INSTANCE, 'a', Buffer.from('a'), JSON_TYPE);
      await store.put(OTHER, 'c', Buffer.from('ccc'), TEXT);
      expect(await store.list(INSTANCE)).toEqual([
        { name: 'a', size: 1, contentType: JSON_TYPE, sha256: sha256(Buffer.from('a')) },
        { name: 'b', size: 2, contentType: TEXT, sha256: sha256(Buffer.from('bb')) },
      ]);
      expect(await store.list('never-written')).toEqual([]);
    });

    it('an empty blob and a blob of several GridFS chunks round-trip', async () => {
      const empty = Buffer.alloc(0);
      const big = Buffer.alloc(600 * 1024 + 7);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) % 251;
      await store.put(INSTANCE, 'empty', empty, 'application/octet-stream');
      await store.put(INSTANCE, 'big', big, 'application/octet-stream');
      expect(await read(INSTANCE, 'empty')).toEqual({
        info: { name: 'empty', size: 0, contentType: 'application/octet-stream', sha256: sha256(empty) },
        content: empty,
      });
      const got = await read(INSTANCE, 'big');
      expect(got?.info).toEqual({ name: 'big', size: big.length, contentType: 'application/octet-stream', sha256: sha256(big) });
      expect(got?.content.equals(big)).toBe(true);
    });

    it('ids and names with dots, separators and non-ASCII characters stay distinct and in their instance', async () => {
      const instanceId = '../instance-2';
      const names = ['.', '..', '../instance-2/x', 'a/b', 'a%2Fb', '.hidden', 'ü ñ.txt', '#tmp-1', 'C:\\x'];
      for (const [i, n] of names.entries()) await store.put(instanceId, n, Buffer.from(`content ${i}`), TEXT);
      expect((await store.list(instanceId)).map((b) => b.name)).toEqual([...names].sort());
      for (const [i, n] of names.entries()) {
        expect((await read(instanceId, n))?.content.toString()).toBe(`content ${i}`);
      }
      expect(await store.list('..')).toEqual([]);
      expect(await store.list(OTHER)).toEqual([]);
      expect(await store.list('.')).toEqual([]);
      expect(await store.deleteAll(instanceId)).toBe(names.length);
    });

    it('delete removes one blob and says whether it existed', async () => {
      await store.put(INSTANCE, 'a', Buffer.from('a'), TEXT);
      await store.put(INSTANCE, 'b', Buffer.from('b'), TEXT);
      expect(await store.delete(INSTANCE, 'a')).toBe(true);
      expect(await store.get(INSTANCE, 'a')).toBeNull();
      expect(await store.delete(INSTANCE, 'a')).toBe(false);
      expect((await store.list(INSTANCE)).map((b) => b.name)).toEqual(['b']);
    });

    it('deleteAll removes every blob of the instance and returns how many existed; again it returns 0', async () => {
      await store.put(INSTANCE, 'a', Buffer.from('a'), TEXT);
      await store.put(INSTANCE, 'b', Buffer.from('b'), TEXT);
      await store.put(INSTANCE, 'b', Buffer.from('b2'), TEXT);
      await store.put(INSTANCE, 'c', Buffer.from('c'), TEXT);
      await store.put(OTHER, 'a', Buffer.from('other'), TEXT);
      expect(await store.deleteAll(INSTANCE)).toBe(3);
      expect(await store.list(INSTANCE)).toEqual([]);
      expect(await store.get(INSTANCE, 'b')).toBeNull();
      expect(await store.deleteAll(INSTANCE)).toBe(0);
      expect((await read(OTHER, 'a'))?.content.toString()).toBe('other');
    });

    it('deleting what never existed is success and logs nothing', async () => {
      const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
        jest.spyOn(console, m).mockImplementation(() => undefined),
      );
      try {
        expect(await store.deleteAll('never-written')).toBe(0);
        expect(await store.delete('never-written', 'x')).toBe(false);
        await store.put(INSTANCE, 'a', Buffer.from('a'), TEXT);
        expect(await store.delete(INSTANCE, 'missing')).toBe(false);
        for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    });

    it('an instance can get blobs again after deleteAll', async () => {
      await store.put(INSTANCE, 'a', Buffer.from('a'), TEXT);
      await store.deleteAll(INSTANCE);
      await store.put(INSTANCE, 'a', Buffer.from('again'), TEXT);
      expect((await read(INSTANCE, 'a'))?.content.toString()).toBe('again');
      expect(await store.list(INSTANCE)).toHaveLength(1);
    });

    it('ping resolves', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
