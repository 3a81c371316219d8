import { ServiceEvent, asServiceEvent } from '../../../shared/event-sourcing/all-events';
import { Projection } from '../../../shared/projections/projection';
import { AuditDoc, AuditItem, COLLECTIONS } from '../../../shared/read-models/documents';

/**
 * The deletion history of each instance. It outlives the instance: after `InstancePurged` the
 * document holds ids, times and actor ids only, rebuilt from what survives the purge.
 */
export const auditProjection: Projection<AuditDoc> = {
  name: 'audit',
  collection: COLLECTIONS.audit,
  keysOf(e) {
    const ev = asServiceEvent(e);
    switch (ev.type) {
      case 'WorkflowInstanceSoftDeleted':
      case 'WorkflowInstanceRestored':
      case 'InstancePurgeStarted':
      case 'InstancePurgeFailed':
      case 'InstancePurged':
        return [ev.data.instanceId];
      case 'HardDeleteBatchRequested':
        return ev.data.instanceIds;
      default:
        return [];
    }
  },
  evolve(doc, e, key) {
    const ev = asServiceEvent(e);
    const actor = e.metadata.actor;
    let item: AuditItem | null = null;
    switch (ev.type) {
      case 'WorkflowInstanceSoftDeleted':
        item = { type: 'SoftDeleted', at: ev.data.deletedAt, actor, operationId: ev.data.operationId, ...(ev.data.reason ? { reason: ev.data.reason } : {}) };
        break;
      case 'WorkflowInstanceRestored':
        item = { type: ev.data.byUndo ? 'RestoredByUndo' : 'Restored', at: ev.data.restoredAt, actor, operationId: ev.data.operationId };
        break;
      case 'HardDeleteBatchRequested':
        item = { type: 'PurgeBatchRequested', at: ev.data.requestedAt, actor, batchId: ev.data.batchId };
        break;
      case 'InstancePurgeStarted':
        item = { type: 'PurgeStarted', at: ev.data.startedAt, actor, batchId: ev.data.batchId };
        break;
      case 'InstancePurgeFailed':
        item = {
          type: 'PurgeFailed',
          at: e.createdAt,
          actor,
          batchId: ev.data.batchId,
          attempt: ev.data.attempt,
          error: ev.data.error,
          willRetry: ev.data.willRetry,
          ...(ev.data.operationId ? { operationId: ev.data.operationId } : {}),
        };
        break;
      case 'InstancePurged':
        return { id: key, items: afterPurge(doc, ev.data, actor) };
      default:
        return doc;
    }
    return { id: key, items: [...(doc?.items ?? []), item] };
  },
};

type Purged = Extract<ServiceEvent, { type: 'InstancePurged' }>['data'];
const BATCH_ITEMS = new Set(['PurgeBatchRequested', 'PurgeFailed']);

/**
 * The history once purged, built only from what survives the purge (the marker's history and the
 * batch streams), so a rebuild from the truncated log yields exactly what the live projection
 * held. Items of the removed events are replaced by the marker's (which carry no reasons).
 */
function afterPurge(doc: AuditDoc | null, data: Purged, actor: string): AuditItem[] {
  const history = data.history ?? [
    // Markers written before `history` existed: the last soft delete is all that is known.
    { type: 'SoftDeleted' as const, at: data.deletedAt, actor: data.deletedBy ?? 'unknown', operationId: data.operationId },
  ];
  const started = history.find((h) => h.type === 'PurgeStarted');
  const batchItems: AuditItem[] = [];
  for (const item of (doc?.items ?? []).filter((i) => BATCH_ITEMS.has(i.type))) {
    batchItems.push(item);
    if (started && item.type === 'PurgeBatchRequested' && item.batchId === started.batchId) batchItems.push({ ...started });
  }
  if (started && !batchItems.some((i) => i.type === 'PurgeStarted')) batchItems.push({ ...started });
  return [
    ...history.filter((h) => h.type !== 'PurgeStarted').map((h) => ({ ...h })),
    ...batchItems,
    { type: 'Purged', at: data.purgedAt, actor, operationId: data.operationId, batchId: data.batchId },
  ];
}
