import { asServiceEvent } from '../../../shared/event-sourcing/all-events';
import { Projection } from '../../../shared/projections/projection';
import { AuditDoc, AuditItem, COLLECTIONS } from '../../../shared/read-models/documents';

/**
 * The deletion history of each instance. It outlives the instance: `InstancePurged` keeps the
 * document (ids, times and actor ids only, no payloads). On a rebuild after a purge only the
 * marker survives in the instance stream, so the marker restores the soft-delete item too.
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
  evolve(doc, e) {
    const ev = asServiceEvent(e);
    const actor = e.metadata.actor;
    let item: AuditItem | null = null;
    const extra: AuditItem[] = [];
    switch (ev.type) {
      case 'WorkflowInstanceSoftDeleted':
        item = { type: 'SoftDeleted', at: ev.data.deletedAt, actor, operationId: ev.data.operationId, ...(ev.data.reason ? { reason: ev.data.reason } : {}) };
        break;
      case 'WorkflowInstanceRestored':
        item = { type: ev.data.byUndo ? 'RestoredByUndo' : 'Restored', at: ev.data.restoredAt, actor, operationId: ev.data.operationId };
        break;
      case 'HardDeleteBatchRequested':
        if (!doc) return null; // only instances with a deletion history get batch entries
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
      case 'InstancePurged': {
        const items = doc?.items ?? [];
        if (!items.some((i) => i.type === 'SoftDeleted' && i.operationId === ev.data.operationId))
          extra.push({ type: 'SoftDeleted', at: ev.data.deletedAt, actor: ev.data.deletedBy ?? 'unknown', operationId: ev.data.operationId });
        item = { type: 'Purged', at: ev.data.purgedAt, actor, operationId: ev.data.operationId, batchId: ev.data.batchId };
        break;
      }
      default:
        return doc;
    }
    const id = doc?.id ?? (ev.data as { instanceId: string }).instanceId;
    const items = [...(doc?.items ?? []), item];
    // A soft delete restored from the marker on a rebuild goes where it happened, not at the end.
    for (const x of extra) {
      const later = items.findIndex((i) => i.at > x.at);
      items.splice(later === -1 ? items.length : later, 0, x);
    }
    return { id, items };
  },
};
