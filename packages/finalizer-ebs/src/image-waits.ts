import { DescribeImagesCommand, DescribeSnapshotsCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { AminatorError } from '@aminator/core';
import { Ec2ErrorCodes, ec2Call, waitFor } from '@aminator/cloud-ec2';

/** Wait until an image is `available`; `failed` (or gone) is an error with EC2's reason. */
export async function waitForImage(client: EC2Client, id: string, region: string, timeoutMs: number, signal: AbortSignal, onState?: (s: string) => void): Promise<Image> {
  return waitFor(async () => {
    const { Images = [] } = await ec2Call(`DescribeImages ${id}`, () => client.send(new DescribeImagesCommand({ ImageIds: [id] }), { abortSignal: signal }));
    const image = Images[0];
    onState?.(image?.State ?? 'missing');
    if (image?.State === 'available') return image;
    if (!image || image.State === 'failed' || image.State === 'error' || image.State === 'deregistered') {
      throw new AminatorError(`image ${id} in ${region} ended in state ${image?.State ?? 'missing'}${image?.StateReason?.Message ? `: ${image.StateReason.Message}` : ''}`, {
        code: Ec2ErrorCodes.IMAGE_FAILED, suggestions: ['retry the bake; if it fails again, check the snapshot and the base image\'s block-device mappings'],
      });
    }
    return undefined;
  }, { what: `image ${id} in ${region} to become available`, timeoutMs, signal });
}

/** Wait until a snapshot is `completed`, reporting its progress; `error` is an error. */
export async function waitForSnapshot(client: EC2Client, id: string, timeoutMs: number, signal: AbortSignal, progress: (text: string, percent?: number) => void): Promise<void> {
  let last = '';
  await waitFor(async () => {
    const { Snapshots = [] } = await ec2Call(`DescribeSnapshots ${id}`, () => client.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }), { abortSignal: signal }));
    const snapshot = Snapshots[0];
    const percent = Number.parseInt(snapshot?.Progress ?? '0', 10) || 0;
    if (snapshot?.Progress && snapshot.Progress !== last) {
      last = snapshot.Progress;
      progress(`snapshot ${id} ${snapshot.Progress}`, percent);
    }
    if (snapshot?.State === 'completed') return true;
    if (!snapshot || snapshot.State === 'error') {
      throw new AminatorError(`snapshot ${id} ended in state ${snapshot?.State ?? 'missing'}${snapshot?.StateMessage ? `: ${snapshot.StateMessage}` : ''}`, {
        code: Ec2ErrorCodes.SNAPSHOT_FAILED, suggestions: ['retry the bake; a failed snapshot is usually transient'],
      });
    }
    return undefined;
  }, { what: `snapshot ${id} to complete`, timeoutMs, signal });
}
