import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Collection, GridFSBucket, GridFSFile, MongoRuntimeError, ObjectId } from 'mongodb';
import { MONGO_COLLECTIONS, MongoConnection } from '../../mongo/mongo-connection';
import { BlobInfo, BlobStore } from '../blob-store.port';

interface BlobMetadata {
  instanceId: string;
  name: string;
  contentType: string;
  sha256: string;
}

type BlobFile = GridFSFile & { metadata: BlobMetadata };

/**
 * Deletes one GridFS file; a file that is already gone is success. `GridFSBucket.delete` removes
 * the file document, then any chunks, and only then throws `MongoRuntimeError("File not found for
 * id …")` when there was no file document (driver 7, NODE-3483: no dedicated error class yet).
 * The message match is the one brittle spot, so it lives here only.
 * @returns whether the file existed.
 */
export async function deleteGridFsFile(bucket: Pick<GridFSBucket, 'delete'>, id: ObjectId): Promise<boolean> {
  try {
    await bucket.delete(id);
    return true;
  } catch (e) {
    if (e instanceof MongoRuntimeError && /^File not found for id\b/.test(e.message)) return false;
    throw e;
  }
}

const toInfo = (f: BlobFile): BlobInfo => ({
  name: f.metadata.name,
  size: f.length,
  contentType: f.metadata.contentType,
  sha256: f.metadata.sha256,
});

/** Newest first; `_id` breaks ties so every replica agrees on which version is the latest. */
const NEWEST_FIRST = { uploadDate: -1, _id: -1 } as const;

/**
 * BlobStore on GridFS (bucket `blobs`), one file per version named `${instanceId}/${name}`.
 * Driver 7 dropped `GridFSFile.contentType`, so it lives in `metadata` with the sha256.
 */
export class GridFsBlobStore extends BlobStore {
  readonly kind = 'gridfs';
  private readonly bucket: GridFSBucket;
  private readonly files: Collection<BlobFile>;
  private readonly chunks: Collection;

  constructor(private readonly conn: MongoConnection) {
    super();
    const bucketName = MONGO_COLLECTIONS.blobBucket;
    this.bucket = new GridFSBucket(conn.db, { bucketName });
    this.files = conn.db.collection<BlobFile>(`${bucketName}.files`);
    this.chunks = conn.db.collection(`${bucketName}.chunks`);
  }

  async put(instanceId: string, name: string, content: Buffer, contentType: string): Promise<BlobInfo> {
    // The whole content is in memory already: hashing it is one pass and the hash can go into
    // the file document, which GridFS writes when the upload finishes.
    const sha256 = createHash('sha256').update(content).digest('hex');
    const metadata: BlobMetadata = { instanceId, name, contentType, sha256 };
    const upload = this.bucket.openUploadStream(`${instanceId}/${name}`, { metadata });
    upload.end(content);
    await finished(upload);
    const mine = upload.gridFSFile!;
    // Remove older versions only after the new one is complete, so a reader always finds one.
    // Only versions ordered before ours: two concurrent puts then keep the later one, never none.
    const older = await this.files
      .find(
        {
          'metadata.instanceId': instanceId,
          'metadata.name': name,
          $or: [{ uploadDate: { $lt: mine.uploadDate } }, { uploadDate: mine.uploadDate, _id: { $lt: mine._id } }],
        },
        { projection: { _id: 1 } },
      )
      .toArray();
    for (const f of older) await deleteGridFsFile(this.bucket, f._id);
    return { name, size: content.length, contentType, sha256 };
  }

  async get(instanceId: string, name: string): Promise<{ info: BlobInfo; content: Readable } | null> {
    const file = await this.files.findOne({ 'metadata.instanceId': instanceId, 'metadata.name': name }, { sort: NEWEST_FIRST });
    if (!file) return null;
    return { info: toInfo(file), content: this.bucket.openDownloadStream(file._id) };
  }

  async list(instanceId: string): Promise<BlobInfo[]> {
    const files = await this.files.find({ 'metadata.instanceId': instanceId }).sort(NEWEST_FIRST).toArray();
    const latest = new Map<string, BlobInfo>();
    for (const f of files) if (!latest.has(f.metadata.name)) latest.set(f.metadata.name, toInfo(f));
    return [...latest.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Two round trips whatever the number of files. Chunks go first: a crash in between leaves file
   * documents that the next run finds and deletes, whereas deleting file documents first (as
   * `GridFSBucket.delete` does) could leave chunks nothing points to any more.
   */
  async deleteAll(instanceId: string): Promise<number> {
    const files = await this.files
      .find({ 'metadata.instanceId': instanceId }, { projection: { _id: 1, 'metadata.name': 1 } })
      .toArray();
    if (files.length === 0) return 0;
    const ids = files.map((f) => f._id);
    await this.chunks.deleteMany({ files_id: { $in: ids } });
    await this.files.deleteMany({ _id: { $in: ids } });
    return new Set(files.map((f) => f.metadata.name)).size;
  }

  async delete(instanceId: string, name: string): Promise<boolean> {
    const files = await this.files
      .find({ 'metadata.instanceId': instanceId, 'metadata.name': name }, { projection: { _id: 1 } })
      .toArray();
    let existed = false;
    for (const f of files) if (await deleteGridFsFile(this.bucket, f._id)) existed = true;
    return existed;
  }

  async ping(): Promise<void> {
    await this.conn.db.command({ ping: 1 });
  }
}
