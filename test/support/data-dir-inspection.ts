import Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { snapshot } from './read-model-snapshot';
import { wis } from './server-process';

/** One stored event, straight from the embedded store's file. */
export interface StoredEvent {
  position: number;
  id: string;
  streamId: string;
  revision: number;
  type: string;
  data: any;
  metadata: any;
}

export interface StoreContents {
  events: StoredEvent[];
  /** Stream id → events in revision order. */
  streams: Map<string, StoredEvent[]>;
  /** Stream id → { revision, sealed } from the stream table. */
  heads: Map<string, { revision: number; sealed: boolean }>;
}

const open = (dataDir: string) => new Database(join(dataDir, 'workflows.db'), { readonly: true, fileMustExist: true });

/** Every event and stream head of a data directory, read-only (the server may be stopped or running). */
export function readStore(dataDir: string): StoreContents {
  const db = open(dataDir);
  try {
    const rows = db.prepare('SELECT global_position, event_id, stream_id, revision, type, data, metadata FROM es_events ORDER BY global_position').all() as {
      global_position: number;
      event_id: string;
      stream_id: string;
      revision: number;
      type: string;
      data: string;
      metadata: string;
    }[];
    const events = rows.map((r) => ({
      position: r.global_position,
      id: r.event_id,
      streamId: r.stream_id,
      revision: r.revision,
      type: r.type,
      data: JSON.parse(r.data),
      metadata: JSON.parse(r.metadata),
    }));
    const streams = new Map<string, StoredEvent[]>();
    for (const e of events) {
      let s = streams.get(e.streamId);
      if (!s) streams.set(e.streamId, (s = []));
      s.push(e);
    }
    for (const s of streams.values()) s.sort((a, b) => a.revision - b.revision);
    const heads = new Map<string, { revision: number; sealed: boolean }>();
    for (const h of db.prepare('SELECT stream_id, revision, sealed FROM es_streams').all() as { stream_id: string; revision: number; sealed: number }[])
      heads.set(h.stream_id, { revision: h.revision, sealed: h.sealed === 1 });
    return { events, streams, heads };
  } finally {
    db.close();
  }
}

/** How many events of each type the store holds right now (cheap; fine while the server runs). */
export function countEvents(dataDir: string, type: string): number {
  const db = open(dataDir);
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM es_events WHERE type = ?').get(type) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Every read-model document of each collection's active generation (the shared helper of the rebuild tests). */
export const readModelSnapshot = snapshot;

/**
 * Replays the whole log into a new read-model generation with the operator's command
 * (`wis projections rebuild`, blue/green) and returns the documents before and after. The
 * server must be stopped, so that nothing moves between the two snapshots.
 */
export function rebuildAndSnapshot(dataDir: string) {
  const before = readModelSnapshot(dataDir);
  const out = wis(dataDir, ['projections', 'rebuild']);
  if (!/readers switched/.test(out)) throw new Error(`rebuild did not switch readers: ${out}`);
  return { before, after: readModelSnapshot(dataDir), output: out.trim() };
}

/**
 * Blob files on disk: instance id → file names (temp files of interrupted uploads included,
 * they start with `#tmp-`). Directory names are `encodeURIComponent` of the instance id.
 */
export function blobFiles(dataDir: string): Map<string, string[]> {
  const root = join(dataDir, 'blobs');
  const out = new Map<string, string[]>();
  if (!existsSync(root)) return out;
  for (const dir of readdirSync(root)) out.set(decodeURIComponent(dir), readdirSync(join(root, dir)).map((f) => decodeURIComponent(f)).sort());
  return out;
}

/**
 * Problems with the events of instance streams, as readable strings (empty when all is well):
 * an event id twice in a stream; a purged stream that kept more than its `InstancePurged`
 * marker or is not sealed; an event that may happen once per instance (created, purge started,
 * purged, one per blob name or bookmark id) appended twice; a soft delete on top of a soft
 * delete without a restore between.
 */
export function instanceStreamProblems(store: StoreContents): string[] {
  const problems: string[] = [];
  for (const [streamId, events] of store.streams) {
    if (!streamId.startsWith('workflowInstance-')) continue;
    const ids = new Set<string>();
    for (const e of events) {
      if (ids.has(e.id)) problems.push(`${streamId}: event id ${e.id} twice`);
      ids.add(e.id);
    }
    const last = events[events.length - 1];
    if (last?.type === 'InstancePurged') {
      if (events.length !== 1) problems.push(`${streamId}: purged but keeps ${events.length} events (${events.map((e) => e.type).join(', ')})`);
      if (!store.heads.get(streamId)?.sealed) problems.push(`${streamId}: purged but not sealed`);
      continue;
    }
    const once = new Map<string, number>();
    let deleted = false;
    for (const e of events) {
      const key =
        e.type === 'BlobAttached' ? `BlobAttached:${e.data.name}` : e.type === 'BookmarkCreated' ? `BookmarkCreated:${e.data.bookmarkId}` : e.type === 'BookmarkResumed' ? `BookmarkResumed:${e.data.bookmarkId}` : ['WorkflowInstanceCreated', 'InstancePurgeStarted', 'InstancePurged'].includes(e.type) ? e.type : null;
      if (key) {
        once.set(key, (once.get(key) ?? 0) + 1);
        if (once.get(key) === 2) problems.push(`${streamId}: ${key} twice`);
      }
      if (e.type === 'WorkflowInstanceSoftDeleted') {
        if (deleted) problems.push(`${streamId}: WorkflowInstanceSoftDeleted at revision ${e.revision} while already deleted`);
        deleted = true;
      }
      if (e.type === 'WorkflowInstanceRestored') deleted = false;
    }
  }
  return problems;
}
