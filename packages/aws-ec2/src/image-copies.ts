import type { StepContext } from '@aminator/core';
import { CopyImageCommand, CreateTagsCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import type { AmiConfig } from './ami-config.js';
import { unlessAbortedBefore } from './cleanup-calls.js';
import type { Ec2Clients } from './ec2-clients.js';
import { ec2Call } from './ec2-errors.js';
import type { FreshResources } from './fresh-resources.js';
import { removeImage } from './image-removal.js';
import { waitForImage } from './image-waits.js';

/**
 * Copy the image to another region (with that region's KMS key when one is configured), wait until the
 * copy is available, and tag the copy's snapshots as the image is tagged. Removed on a later failure.
 */
export async function copyImageTo(
  clients: Ec2Clients,
  region: string,
  imageId: string,
  name: string,
  config: Pick<AmiConfig, 'copyKmsKeys' | 'copyTimeoutMs'>,
  fresh: FreshResources,
  ctx: StepContext,
): Promise<string> {
  const client = clients.forRegion(region);
  const kmsKeyId = config.copyKmsKeys[region];
  const copied = await ec2Call(`CopyImage ${imageId} to ${region}`, () =>
    client.send(
      new CopyImageCommand({
        SourceImageId: imageId,
        SourceRegion: clients.region,
        Name: name,
        CopyImageTags: true,
        Encrypted: kmsKeyId ? true : undefined,
        KmsKeyId: kmsKeyId,
      }),
      unlessAbortedBefore(ctx.signal),
    ),
  );
  const copyId = copied.ImageId ?? '';
  fresh.created(copyId);
  ctx.cleanup.push({
    description: `deregister copy ${copyId} in ${region} and delete its snapshots`,
    when: 'on-failure',
    resource: { kind: 'image', id: `${region}/${copyId}` },
    manual: [['aws', 'ec2', 'deregister-image', '--region', region, '--image-id', copyId]],
    undo: () => removeImage(client, copyId, true, fresh),
  });
  ctx.progress(`copy ${copyId} to ${region} in progress`);
  const copy = await waitForImage(client, copyId, region, config.copyTimeoutMs, fresh, ctx.signal);
  const source = (
    await ec2Call(`DescribeImages ${imageId}`, () => clients.home.send(new DescribeImagesCommand({ ImageIds: [imageId] }), { abortSignal: ctx.signal }))
  ).Images?.[0];
  const snapshots = (copy.BlockDeviceMappings ?? []).map((m) => m.Ebs?.SnapshotId ?? '').filter(Boolean);
  // CopyImage made these snapshots just now: EC2 may not show them for tagging yet.
  for (const snapshot of snapshots) fresh.created(snapshot);
  if (snapshots.length > 0 && source?.Tags?.length) {
    await ec2Call(`CreateTags on ${region} snapshots`, () =>
      fresh.call(
        snapshots[0] ?? '',
        () => client.send(new CreateTagsCommand({ Resources: snapshots, Tags: source.Tags }), { abortSignal: ctx.signal }),
        ctx.signal,
      ),
    );
  }
  return copyId;
}
