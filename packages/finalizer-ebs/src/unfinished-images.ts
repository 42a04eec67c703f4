import { deleteSnapshot, type Ec2Session, ec2Call, findAbandonedWorkingVolumes, isEc2Code, removeImage, WORKING_VOLUME_FINALIZED } from '@aminator/aws-ec2';
import { type Leftover, type LeftoverContext, retryUntil } from '@aminator/core';
import { DescribeImagesCommand, DescribeSnapshotsCommand, type EC2Client } from '@aws-sdk/client-ec2';

/**
 * What a bake killed during finalize made: snapshots of its working volume (not marked finalized)
 * and images registered from them — deregistered first, then the snapshots deleted. Copies in other
 * regions are not found this way.
 */
export async function findUnfinishedImages(client: EC2Client, instanceId: string, session: Ec2Session, ctx: LeftoverContext): Promise<Leftover[]> {
  const consistencyWindowMs = session.fresh.windowMs;
  const unfinished = (await findAbandonedWorkingVolumes(client, instanceId, session.leases.terms, ctx)).filter(
    (v) => v.tags.status !== WORKING_VOLUME_FINALIZED,
  );
  const leftovers: Leftover[] = [];
  for (const { volume, runId, why } of unfinished) {
    const { Snapshots = [] } = await ec2Call(`DescribeSnapshots of ${volume.VolumeId}`, () =>
      client.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [{ Name: 'volume-id', Values: [volume.VolumeId ?? ''] }],
        }),
        { abortSignal: ctx.signal },
      ),
    );
    const snapshotIds = Snapshots.map((s) => s.SnapshotId ?? '').filter(Boolean);
    if (snapshotIds.length === 0) continue;
    const images = await imagesUsing(client, snapshotIds, ctx.signal);
    const reason = `made by run ${runId || '?'} from ${volume.VolumeId}, which died before its image was complete: ${why}`;
    for (const image of images) {
      leftovers.push({
        phase: 'volumes',
        kind: 'image',
        id: image.id,
        runId,
        reason: `${image.name}: ${reason}`,
        reclaim: () => removeImage(client, image.id, false),
      });
    }
    for (const id of snapshotIds) {
      leftovers.push({ phase: 'volumes', kind: 'snapshot', id, runId, reason, reclaim: () => deleteSnapshotOfDeadRun(client, id, consistencyWindowMs) });
    }
  }
  return leftovers;
}

async function imagesUsing(client: EC2Client, snapshotIds: readonly string[], signal?: AbortSignal): Promise<Array<{ id: string; name: string }>> {
  const { Images = [] } = await ec2Call('DescribeImages (of those snapshots)', () =>
    client.send(
      new DescribeImagesCommand({
        Owners: ['self'],
        Filters: [{ Name: 'block-device-mapping.snapshot-id', Values: [...snapshotIds] }],
      }),
      { abortSignal: signal },
    ),
  );
  return Images.map((i) => ({ id: i.ImageId ?? '', name: i.Name ?? '' })).filter((i) => i.id);
}

/**
 * Delete a dead run's snapshot. "In use" means an image was registered from it — one EC2 may not
 * list yet if the bake died right after RegisterImage (eventual consistency): look again until it
 * shows, deregister it, and delete; bounded by the consistency window.
 */
async function deleteSnapshotOfDeadRun(client: EC2Client, id: string, windowMs: number): Promise<void> {
  const deregisterUsers = async (error: unknown): Promise<boolean> => {
    if (!isEc2Code(error, 'InvalidSnapshot.InUse')) return false;
    for (const image of await imagesUsing(client, [id])) await removeImage(client, image.id, false);
    return true;
  };
  await retryUntil(() => deleteSnapshot(client, id), { retryable: deregisterUsers, withinMs: windowMs, firstDelayMs: 1_000, factor: 1 });
}
