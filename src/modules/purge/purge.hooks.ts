/** Steps of purging a batch, in order. */
export type PurgeStep = 'claimed' | 'started' | 'blobs' | 'bookmarks' | 'purged' | 'truncated';

/**
 * Observation points between purge steps. Production uses the no-op; crash-safety tests
 * replace it to stop a run at a chosen step, as a crash would.
 */
export class PurgeHooks {
  async after(_step: PurgeStep, _batchId: string): Promise<void> {}
}
