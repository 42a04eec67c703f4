import type { StepContext } from '@aminator/core';
import {
  CopySnapshotCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
  GetEbsEncryptionByDefaultCommand,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { unlessAbortedBefore } from '../cleanup-calls.js';
import { ec2Call, isEc2Code } from '../ec2-errors.js';
import type { Ec2Session } from '../ec2-session.js';
import { waitForSnapshot } from '../image-waits.js';

/** `purpose` tag of a base snapshot copied into the account so EBS direct can read it. */
export const BASE_COPY_PURPOSE = 'aminator-base-copy';

export interface BaseCopyOptions {
  /** Encrypt the copy with this key (else: encrypted when the account encrypts by default). */
  readonly kmsKeyId?: string;
  readonly encrypted: boolean;
  readonly copyTimeoutMs: number;
}

/**
 * The base image's root snapshot as one EBS direct can read: the snapshot itself when this account
 * owns it and it is not public; else this account's copy of it — reused when an earlier bake made one
 * (found by tag, also while it is still being copied), made with CopySnapshot otherwise. A copy is
 * kept on purpose (the next bake's parent) and never removed by a failure.
 */
export async function readableBaseSnapshot(
  session: Ec2Session,
  snapshotId: string,
  options: BaseCopyOptions,
  ctx: StepContext,
): Promise<{ snapshotId: string; copiedFrom?: string }> {
  const clients = await session.clients();
  const client = clients.home;
  if (await ownPrivate(client, snapshotId, ctx.signal)) return { snapshotId };
  const earlier = await earlierCopy(client, snapshotId, clients.region, ctx.signal);
  if (earlier?.SnapshotId) {
    ctx.log.info(`using ${earlier.SnapshotId}, this account's copy of ${snapshotId} made by an earlier bake`);
    if (earlier.State !== 'completed') await waitForSnapshot(client, earlier.SnapshotId, options.copyTimeoutMs, session.fresh, ctx.signal, ctx.progress);
    return { snapshotId: earlier.SnapshotId, copiedFrom: snapshotId };
  }
  const byDefault = options.kmsKeyId || options.encrypted ? true : await encryptsByDefault(client, ctx.signal);
  ctx.log.info(
    `copying ${snapshotId} into this account${byDefault ? ' (encrypted)' : ''}: EBS direct reads only the account's own, non-public snapshots; later bakes reuse the copy`,
  );
  const copied = await ec2Call(`CopySnapshot ${snapshotId}`, () =>
    client.send(
      new CopySnapshotCommand({
        SourceSnapshotId: snapshotId,
        SourceRegion: clients.region,
        Description: `aminate: readable copy of ${snapshotId}`,
        Encrypted: byDefault || undefined,
        KmsKeyId: options.kmsKeyId,
        TagSpecifications: [
          {
            ResourceType: 'snapshot',
            Tags: [
              { Key: 'purpose', Value: BASE_COPY_PURPOSE },
              { Key: 'source_snapshot', Value: snapshotId },
              { Key: 'source_region', Value: clients.region },
              { Key: 'Name', Value: `aminator copy of ${snapshotId}` },
            ],
          },
        ],
      }),
      unlessAbortedBefore(ctx.signal),
    ),
  );
  const id = copied.SnapshotId ?? '';
  session.fresh.created(id);
  await waitForSnapshot(client, id, options.copyTimeoutMs, session.fresh, ctx.signal, ctx.progress);
  return { snapshotId: id, copiedFrom: snapshotId };
}

async function ownPrivate(client: EC2Client, snapshotId: string, signal: AbortSignal): Promise<boolean> {
  let own: Snapshot | undefined;
  try {
    own = (await client.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId], OwnerIds: ['self'] }), { abortSignal: signal })).Snapshots?.[0];
  } catch (error) {
    if (isEc2Code(error, 'InvalidSnapshot.NotFound')) return false;
    return ec2Call(`DescribeSnapshots ${snapshotId}`, () => Promise.reject(error));
  }
  if (!own) return false;
  const attribute = await ec2Call(`DescribeSnapshotAttribute ${snapshotId}`, () =>
    client.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }), { abortSignal: signal }),
  );
  return !(attribute.CreateVolumePermissions ?? []).some((p) => p.Group === 'all');
}

async function earlierCopy(client: EC2Client, snapshotId: string, region: string, signal: AbortSignal): Promise<Snapshot | undefined> {
  const { Snapshots = [] } = await ec2Call(`DescribeSnapshots (copies of ${snapshotId})`, () =>
    client.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [
          { Name: 'tag:purpose', Values: [BASE_COPY_PURPOSE] },
          { Name: 'tag:source_snapshot', Values: [snapshotId] },
          { Name: 'tag:source_region', Values: [region] },
          { Name: 'status', Values: ['pending', 'completed'] },
        ],
      }),
      { abortSignal: signal },
    ),
  );
  return Snapshots.sort((a, b) => (a.State === 'completed' ? -1 : 0) - (b.State === 'completed' ? -1 : 0))[0];
}

async function encryptsByDefault(client: EC2Client, signal: AbortSignal): Promise<boolean> {
  const answer = await ec2Call('GetEbsEncryptionByDefault', () => client.send(new GetEbsEncryptionByDefaultCommand({}), { abortSignal: signal }));
  return answer.EbsEncryptionByDefault === true;
}
