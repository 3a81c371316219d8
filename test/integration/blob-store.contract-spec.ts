import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoRuntimeError, MongoServerError, ObjectId } from 'mongodb';
import { FilesystemBlobStore, encodeSegment } from '../../src/shared/blobs/adapters/filesystem-blob-store';
import { GridFsBlobStore, deleteGridFsFile } from '../../src/shared/blobs/adapters/gridfs-blob-store';
import { ValidationError } from '../../src/shared/event-sourcing/errors';
import { MongoConnection } from '../../src/shared/mongo/mongo-connection';
import { blobStoreContract } from './blob-store.contract';

const MONGODB_URI = process.env.MONGODB_URI?.trim();

blobStoreContract('filesystem', async () => {
  const root = await mkdtemp(join(tmpdir(), 'wis-blobs-'));
  return { store: new FilesystemBlobStore(join(root, 'blobs')), close: () => rm(root, { recursive: true, force: true }) };
});

if (MONGODB_URI) {
  blobStoreContract('gridfs', async () => {
    const conn = new MongoConnection(MONGODB_URI, `wis_contract_${randomUUID().slice(0, 8)}`);
    await conn.connect();
    await conn.ensureIndexes();
    return {
      store: new GridFsBlobStore(conn),
      close: async () => {
        await conn.db.dropDatabase();
        await conn.close();
      },
    };
  });
} else {
  console.log('skipped: no MongoDB configured (set MONGODB_URI to run the MongoDB BlobStore contract suite)');
}

describe('FilesystemBlobStore', () => {
  let parent: string;
  let root: string;
  let store: FilesystemBlobStore;

  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'wis-blobs-'));
    root = join(parent, 'blobs');
    store = new FilesystemBlobStore(root);
  });
  afterEach(() => rm(parent, { recursive: true, force: true }));

  it('writes nothing outside its root, whatever the ids and names', async () => {
    for (const id of ['..', '.', '../..', '/etc', 'a/../..']) {
      await store.put(id, '../../escaped', Buffer.from('x'), 'text/plain');
      await store.put(id, '..', Buffer.from('x'), 'text/plain');
    }
    expect(await readdir(parent)).toEqual(['blobs']);
    const dirs = await readdir(root);
    expect(dirs).toHaveLength(5);
    for (const d of dirs) expect((await stat(join(root, d))).isDirectory()).toBe(true);
  });

  it('encodes segments injectively and never as ".", ".." or a path', () => {
    expect(encodeSegment('name', '.')).toBe('%2E');
    expect(encodeSegment('name', '..')).toBe('%2E.');
    expect(encodeSegment('name', '.env')).toBe('%2Eenv');
    expect(encodeSegment('name', '%2E')).toBe('%252E');
    expect(encodeSegment('name', 'a/b\\c')).toBe('a%2Fb%5Cc');
    expect(encodeSegment('name', 'report.pdf')).toBe('report.pdf');
  });

  it('rejects an empty, too long or malformed id or name with a ValidationError', async () => {
    await expect(store.put('', 'a', Buffer.from('x'), 'text/plain')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.put('i', '', Buffer.from('x'), 'text/plain')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.put('i', 'x'.repeat(256), Buffer.from('x'), 'text/plain')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.get('i', '\uD800')).rejects.toBeInstanceOf(ValidationError);
  });

  it('deleteAll also removes temp files a crashed put left, without counting them', async () => {
    await store.put('i', 'a', Buffer.from('a'), 'text/plain');
    await writeFile(join(root, 'i', '#tmp-crashed'), 'partial');
    expect((await store.list('i')).map((b) => b.name)).toEqual(['a']);
    expect(await store.deleteAll('i')).toBe(1);
    expect(await readdir(root)).toEqual([]);
  });

  it('deleteAll of an instance whose directory is empty returns 0 and removes the directory', async () => {
    await mkdir(join(root, 'i'), { recursive: true });
    expect(await store.deleteAll('i')).toBe(0);
    expect(await readdir(root)).toEqual([]);
  });

  it('a reader keeps the version it opened while a put replaces it', async () => {
    await store.put('i', 'a', Buffer.from('old content'), 'text/plain');
    const got = await store.get('i', 'a');
    await store.put('i', 'a', Buffer.from('new'), 'text/plain');
    const chunks: Buffer[] = [];
    for await (const c of got!.content) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('old content');
    expect(got!.info.size).toBe(11);
  });
});

/** The one place that recognises the driver's "file not found" error (no server needed). */
describe('deleteGridFsFile', () => {
  const id = new ObjectId('65a000000000000000000001');
  const bucket = (error?: Error) => ({ delete: jest.fn(async () => (error ? Promise.reject(error) : undefined)) });

  it('is true when the file existed', async () => {
    const b = bucket();
    expect(await deleteGridFsFile(b, id)).toBe(true);
    expect(b.delete).toHaveBeenCalledWith(id);
  });

  it('is false, not an error, when the driver says the file is not found', async () => {
    expect(await deleteGridFsFile(bucket(new MongoRuntimeError(`File not found for id ${id.toHexString()}`)), id)).toBe(false);
  });

  it('rethrows any other error', async () => {
    const other = new MongoRuntimeError('Stream error');
    await expect(deleteGridFsFile(bucket(other), id)).rejects.toBe(other);
    const server = new MongoServerError({ message: 'not primary', code: 10107 });
    await expect(deleteGridFsFile(bucket(server), id)).rejects.toBe(server);
  });
});
