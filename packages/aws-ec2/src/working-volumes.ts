import type { LeftoverContext } from '@aminator/core';
import { CreateTagsCommand, type EC2Client, paginateDescribeVolumes, type Volume } from '@aws-sdk/client-ec2';
import { persistently } from './cleanup-calls.js';
import { ec2Call } from './ec2-errors.js';
import { abandonment, hostFilters, type LeaseTerms } from './leases.js';

export const WORKING_VOLUME_PURPOSE = 'aminator-working-volume';
/** `status` tag of a working volume once the finalizer has made its image: the image is complete. */
export const WORKING_VOLUME_FINALIZED = 'finalized';

export interface AbandonedVolume {
  readonly volume: Volume;
  readonly runId: string;
  readonly pid?: number;
  readonly tags: Readonly<Record<string, string>>;
  /** Why it counts as abandoned: its run is not running, or (another host's) its lease ran out. */
  readonly why: string;
}

/**
 * Working volumes whose bake is gone: this instance's whose run is not running (its run lock is
 * stale, or without one its tagged pid), and with `cleanup --expired` any host's whose lease ran out.
 */
export async function findAbandonedWorkingVolumes(client: EC2Client, instanceId: string, terms: LeaseTerms, ctx: LeftoverContext): Promise<AbandonedVolume[]> {
  const volumes: Volume[] = [];
  const filters = [{ Name: 'tag:purpose', Values: [WORKING_VOLUME_PURPOSE] }, ...hostFilters(instanceId, ctx)];
  await ec2Call(`DescribeVolumes (working volumes of ${ctx.expired ? 'any host' : 'this instance'})`, async () => {
    for await (const page of paginateDescribeVolumes({ client }, { Filters: filters }, { abortSignal: ctx.signal })) volumes.push(...(page.Volumes ?? []));
  });
  const abandoned: AbandonedVolume[] = [];
  for (const volume of volumes) {
    const tags = Object.fromEntries((volume.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    const why = await abandonment(tags, instanceId, terms, ctx);
    const pid = Number(tags.pid);
    if (why) abandoned.push({ volume, runId: tags.run_id ?? '', pid: Number.isInteger(pid) ? pid : undefined, tags, why });
  }
  return abandoned;
}

/** Mark the working volume: its image is complete, so `aminate cleanup` after a crash keeps the image. */
export async function markWorkingVolumeFinalized(client: EC2Client, volumeId: string, imageId: string): Promise<void> {
  await persistently(() =>
    client.send(
      new CreateTagsCommand({
        Resources: [volumeId],
        Tags: [
          { Key: 'status', Value: WORKING_VOLUME_FINALIZED },
          { Key: 'image_id', Value: imageId },
        ],
      }),
    ),
  );
}
