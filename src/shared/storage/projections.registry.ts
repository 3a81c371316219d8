import { auditProjection } from '../../modules/audit/projections/audit.projection';
import { definitionsProjection } from '../../modules/definitions/projections/definitions.projection';
import { deletionOperationsProjection } from '../../modules/deletion/projections/deletion-operations.projection';
import { bookmarksProjection } from '../../modules/instances/projections/bookmarks.projection';
import { instancesProjection } from '../../modules/instances/projections/instances.projection';
import { purgeBatchesProjection } from '../../modules/purge/projections/purge-batches.projection';
import { Projection } from '../projections/projection';

/** Every read model of the service, maintained by one runner. */
export const ALL_PROJECTIONS: Projection[] = [
  definitionsProjection,
  instancesProjection,
  bookmarksProjection,
  deletionOperationsProjection,
  purgeBatchesProjection,
  auditProjection,
] as Projection[];
