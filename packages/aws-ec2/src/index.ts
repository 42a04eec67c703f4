export { AMI_OPTIONS, type AmiConfig, amiConfigShape } from './ami-config.js';
export { AmiFinalizer } from './ami-finalizer.js';
export { amiName } from './ami-name.js';
export { AmiPublisher, type PublishInput, sbomPrefixOf } from './ami-publisher.js';
export { amiById, bakedAmis, parentSnapshotOf, sbomOfAmi, type TaggedAmi } from './ami-queries.js';
export { amisCommand } from './amis-command.js';
export { AMI_ID, AWS_ACCOUNT_OR_ALIAS, KMS_KEY, REGION, SHARE_TARGET } from './aws-patterns.js';
export { type BaseImageQuery, bootModesOf, lookUpBaseImage, rootMapping, toBaseImage, validateBaseImageQuery } from './base-image-lookup.js';
export { assertVolumeFits, BASE_IMAGE_OPTIONS, BaseImages } from './base-images.js';
export { imageMappings } from './block-device-mappings.js';
export { persistently, unlessAbortedBefore } from './cleanup-calls.js';
export { forEachBounded } from './ebs-direct/bounded.js';
export { DIRECT_VOLUMES, type DirectVolume, DirectVolumes, registerDirectVolumes } from './ebs-direct/direct-volumes.js';
export { BLOCKS_PER_GIB, BlockFile, blockDigest, EBS_BLOCK_BYTES, isZeroBlock, linearChecksum } from './ebs-direct/ebs-blocks.js';
export { hostId } from './ebs-direct/host-id.js';
export { BASE_COPY_PURPOSE, type BaseCopyOptions, findFailedBaseCopies, readableBaseSnapshot } from './ebs-direct/readable-base.js';
export { type CachedSnapshot, SnapshotCache } from './ebs-direct/snapshot-cache.js';
export {
  type ChangedBlocks,
  changedBlocks,
  DIRECT_SNAPSHOT_OWN_TAGS,
  DIRECT_SNAPSHOT_PURPOSE,
  markDirectSnapshotFinalized,
  type WriteOptions,
  writeSnapshot,
} from './ebs-direct/snapshot-writer.js';
export { findUnfinishedDirectSnapshots } from './ebs-direct/unfinished-snapshots.js';
export { Ec2Clients, quietSdkNodeWarning, regionFromChain } from './ec2-clients.js';
export { Ec2ErrorCodes, ec2Call, ec2Error, isEc2Code } from './ec2-errors.js';
export { Ec2Session } from './ec2-session.js';
export { WAIT_FIRST_DELAY_MS, WAIT_MAX_DELAY_MS, type WaitOptions, waitFor } from './ec2-wait.js';
export { DEFAULT_CONSISTENCY_WINDOW_MS, FreshResources, isNotFound, NOT_FOUND_CODES, notFoundError } from './fresh-resources.js';
export { copyImageTo } from './image-copies.js';
export { deleteSnapshot, removeImage } from './image-removal.js';
export { waitForImage, waitForSnapshot } from './image-waits.js';
export { type InstanceIdentity, instanceIdentity } from './instance-identity.js';
export { launchPermissions } from './launch-permissions.js';
export { abandonment, expiredLease, hostFilters, LEASE_TAG, LeaseKeeper, type LeaseTerms, leaseTag, leaseTermsOf } from './leases.js';
export { type Ec2SessionConfig, ec2SessionConfigShape } from './session-config.js';
export { EC2_SESSION, registerEc2Session } from './tokens.js';
export {
  type AbandonedVolume,
  findAbandonedWorkingVolumes,
  markWorkingVolumeFinalized,
  WORKING_VOLUME_FINALIZED,
  WORKING_VOLUME_PURPOSE,
} from './working-volumes.js';
