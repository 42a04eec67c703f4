import { AminatorError } from '@aminator/core';
import { DescribeImagesCommand, DescribeSnapshotsCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { Ec2ErrorCodes, ec2Call } from './ec2-errors.js';
import { waitFor } from './ec2-wait.js';
import type { FreshResources } from './fresh-resources.js';

const imageFailed = (id: string, region: string, state: string, reason?: string): AminatorError =>
  new AminatorError(`image ${id} in ${region} ended in state ${state}${reason ? `: ${reason}` : ''}`, {
    code: Ec2ErrorCodes.IMAGE_FAILED,
    suggestions: ["retry the bake; if it fails again, check the snapshot and the base image's block-device mappings"],
  });

const snapshotFailed = (id: string, state: string, message?: string): AminatorError =>
  new AminatorError(`snapshot ${id} ended in state ${state}${message ? `: ${message}` : ''}`, {
    code: Ec2ErrorCodes.SNAPSHOT_FAILED,
    suggestions: ['retry the bake; a failed snapshot is usually transient'],
  });

/** Wait until an image is `available`; `failed` (or gone, once it is no longer fresh) is an error with EC2's reason. */
export async function waitForImage(
  client: EC2Client,
  id: string,
  region: string,
  timeoutMs: number,
  fresh: FreshResources,
  signal: AbortSignal,
): Promise<Image> {
  return waitFor(
    async () => {
      const image = await fresh.look(
        id,
        async () =>
          (await ec2Call(`DescribeImages ${id}`, () => client.send(new DescribeImagesCommand({ ImageIds: [id] }), { abortSignal: signal }))).Images?.[0],
        () => imageFailed(id, region, 'missing'),
      );
      if (!image) return undefined;
      if (image.State === 'available') return image;
      if (image.State === 'failed' || image.State === 'error' || image.State === 'deregistered')
        throw imageFailed(id, region, image.State, image.StateReason?.Message);
      return undefined;
    },
    { what: `image ${id} in ${region} to become available`, timeoutMs, signal },
  );
}

/** Wait until a snapshot is `completed`, reporting its progress; `error` (or gone, once no longer fresh) is an error. */
export async function waitForSnapshot(
  client: EC2Client,
  id: string,
  timeoutMs: number,
  fresh: FreshResources,
  signal: AbortSignal,
  progress: (text: string, percent?: number) => void,
): Promise<void> {
  let last = '';
  await waitFor(
    async () => {
      const snapshot = await fresh.look(
        id,
        async () =>
          (await ec2Call(`DescribeSnapshots ${id}`, () => client.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }), { abortSignal: signal })))
            .Snapshots?.[0],
        () => snapshotFailed(id, 'missing'),
      );
      if (!snapshot) return undefined;
      if (snapshot.Progress && snapshot.Progress !== last) {
        last = snapshot.Progress;
        progress(`snapshot ${id} ${snapshot.Progress}`, Number.parseInt(snapshot.Progress, 10) || 0);
      }
      if (snapshot.State === 'completed') return true;
      if (snapshot.State === 'error') throw snapshotFailed(id, snapshot.State, snapshot.StateMessage);
      return undefined;
    },
    { what: `snapshot ${id} to complete`, timeoutMs, signal },
  );
}
