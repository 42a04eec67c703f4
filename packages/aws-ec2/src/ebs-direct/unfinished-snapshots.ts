import { AminatorError, type Leftover, type LeftoverContext } from '@aminator/core';
import { DescribeImagesCommand, DescribeSnapshotsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { Ec2ErrorCodes, ec2Call, isEc2Code } from '../ec2-errors.js';
import { deleteSnapshot, removeImage } from '../image-removal.js';
import { abandonment, hostFilters, type LeaseTerms } from '../leases.js';
import { hostId } from './host-id.js';
import { DIRECT_SNAPSHOT_PURPOSE } from './snapshot-writer.js';

/**
 * Snapshots this host's EBS direct bakes started and whose run is gone before the image was complete
 * (`status` still `building`), and images registered from them: deregistered, then the snapshot
 * deleted. One still being written cannot be deleted until EC2 moves it to `error` (StartSnapshot's
 * Timeout); cleanup says when to look again.
 */
export async function findUnfinishedDirectSnapshots(client: EC2Client, terms: LeaseTerms, ctx: LeftoverContext): Promise<Leftover[]> {
  const { Snapshots = [] } = await ec2Call(`DescribeSnapshots (EBS direct snapshots of ${ctx.expired ? 'any host' : 'this host'})`, () =>
    client.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [{ Name: 'tag:purpose', Values: [DIRECT_SNAPSHOT_PURPOSE] }, ...hostFilters(hostId(), ctx), { Name: 'tag:status', Values: ['building'] }],
      }),
      { abortSignal: ctx.signal },
    ),
  );
  const leftovers: Leftover[] = [];
  for (const snapshot of Snapshots) {
    const tags = Object.fromEntries((snapshot.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    const runId = tags.run_id ?? '';
    const why = await abandonment(tags, hostId(), terms, ctx);
    if (!why) continue;
    const id = snapshot.SnapshotId ?? '';
    const reason = `written by run ${runId || '?'}, which died before its image was complete: ${why}`;
    const { Images = [] } = await ec2Call(`DescribeImages (of ${id})`, () =>
      client.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'block-device-mapping.snapshot-id', Values: [id] }] }), {
        abortSignal: ctx.signal,
      }),
    );
    for (const image of Images) {
      const imageId = image.ImageId ?? '';
      leftovers.push({
        phase: 'volumes',
        kind: 'image',
        id: imageId,
        runId,
        reason: `${image.Name}: ${reason}`,
        reclaim: () => removeImage(client, imageId, false),
      });
    }
    leftovers.push({
      phase: 'volumes',
      kind: 'snapshot',
      id,
      runId,
      reason: `${reason}${snapshot.State === 'pending' ? ' (still pending)' : ''}`,
      reclaim: async () => {
        try {
          await deleteSnapshot(client, id);
        } catch (error) {
          if (!isEc2Code(error, 'IncorrectState')) throw error;
          throw new AminatorError(`snapshot ${id} is still being written; EC2 deletes it only after its StartSnapshot timeout moves it to error`, {
            code: Ec2ErrorCodes.SNAPSHOT_FAILED,
            cause: error,
            suggestions: [`run \`aminate cleanup\` again after ${startedPlusTimeout(snapshot.StartTime)}`],
          });
        }
      },
    });
  }
  return leftovers;
}

function startedPlusTimeout(start: Date | undefined): string {
  return start ? `the snapshot's timeout (started ${start.toISOString()}; ebsdirect's default is 60 minutes)` : 'its timeout (60 minutes by default)';
}
