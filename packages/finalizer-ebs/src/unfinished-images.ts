import { DescribeImagesCommand, DescribeSnapshotsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Leftover, LeftoverContext } from '@aminator/core';
import { ec2Call, findAbandonedWorkingVolumes, WORKING_VOLUME_FINALIZED } from '@aminator/cloud-ec2';
import { deleteSnapshot, removeImage } from './image-removal.js';

/**
 * What a bake killed during finalize made: snapshots of its working volume (not marked finalized)
 * and images registered from them — deregistered first, then the snapshots deleted. Copies in other
 * regions are not found this way.
 */
export async function findUnfinishedImages(client: EC2Client, instanceId: string, ctx: LeftoverContext): Promise<Leftover[]> {
  const unfinished = (await findAbandonedWorkingVolumes(client, instanceId, ctx)).filter((v) => v.tags.status !== WORKING_VOLUME_FINALIZED);
  const leftovers: Leftover[] = [];
  for (const { volume, runId } of unfinished) {
    const { Snapshots = [] } = await ec2Call(`DescribeSnapshots of ${volume.VolumeId}`, () => client.send(new DescribeSnapshotsCommand({
      OwnerIds: ['self'], Filters: [{ Name: 'volume-id', Values: [volume.VolumeId ?? ''] }],
    }), { abortSignal: ctx.signal }));
    const snapshotIds = Snapshots.map((s) => s.SnapshotId ?? '').filter(Boolean);
    if (snapshotIds.length === 0) continue;
    const { Images = [] } = await ec2Call('DescribeImages (of those snapshots)', () => client.send(new DescribeImagesCommand({
      Owners: ['self'], Filters: [{ Name: 'block-device-mapping.snapshot-id', Values: snapshotIds }],
    }), { abortSignal: ctx.signal }));
    const reason = `made by run ${runId || '?'} from ${volume.VolumeId}, which died before its image was complete`;
    for (const image of Images) {
      const id = image.ImageId ?? '';
      leftovers.push({ phase: 'volumes', kind: 'image', id, runId, reason: `${image.Name}: ${reason}`, reclaim: () => removeImage(client, id, false) });
    }
    for (const id of snapshotIds) leftovers.push({ phase: 'volumes', kind: 'snapshot', id, runId, reason, reclaim: () => deleteSnapshot(client, id) });
  }
  return leftovers;
}
