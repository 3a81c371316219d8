/** One function per stream category (contract §3). */
export const definitionStream = (id: string) => `workflowDefinition-${id}`;
export const instanceStream = (id: string) => `workflowInstance-${id}`;
export const deletionOperationStream = (id: string) => `deletionOperation-${id}`;
export const hardDeleteBatchStream = (id: string) => `hardDeleteBatch-${id}`;

export const streamCategory = (streamId: string) => streamId.slice(0, streamId.indexOf('-'));
export const streamEntityId = (streamId: string) => streamId.slice(streamId.indexOf('-') + 1);
