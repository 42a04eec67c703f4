import { AminatorError, type Leftover, type LeftoverContext, type StepContext } from '@aminator/core';
import {
  CopySnapshotCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
  GetEbsEncryptionByDefaultCommand,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { unlessAbortedBefore } from '../cleanup-calls.js';
import { Ec2ErrorCodes, ec2Call, isEc2Code } from '../ec2-errors.js';
import type { Ec2Session } from '../ec2-session.js';
import { isNotFound } from '../fresh-resources.js';
import { deleteSnapshot } from '../image-removal.js';
import { waitForSnapshot } from '../image-waits.js';
import type { RecordedCopy, SnapshotCache } from './snapshot-cache.js';
import { DIRECT_SNAPSHOT_PURPOSE, PARENT_SNAPSHOT_TAG } from './snapshot-writer.js';

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
 * kept on purpose (the next bake's parent) and never removed by a failure — but one that ended in
 * `error` is of use to nobody: it is deleted, and `aminate cleanup` finds any left.
 */
export async function readableBaseSnapshot(
  session: Ec2Session,
  snapshotId: string,
  options: BaseCopyOptions,
  ctx: StepContext,
  /** A node's bakes that share a cache make one copy between them. */
  copies?: Pick<SnapshotCache, 'coordinateCopy'>,
): Promise<{ snapshotId: string; copiedFrom?: string; directParent?: string }> {
  const clients = await session.clients();
  const client = clients.home;
  const own = await ownPrivate(client, snapshotId, ctx.signal);
  if (own) {
    const parent = directParent(own);
    return parent ? { snapshotId, directParent: parent } : { snapshotId };
  }
  const copy = (recorded: RecordedCopy | undefined) => copyOf(session, snapshotId, recorded, options, ctx);
  return copies ? copies.coordinateCopy(snapshotId, ctx, copy) : copy(undefined);
}

/**
 * This account's copy of `snapshotId`: the one a bake sharing this node's cache recorded (EC2 may not
 * list a copy made moments ago), else one found by tag, else a new one.
 */
async function copyOf(
  session: Ec2Session,
  snapshotId: string,
  recorded: RecordedCopy | undefined,
  options: BaseCopyOptions,
  ctx: StepContext,
): Promise<{ snapshotId: string; copiedFrom?: string }> {
  const clients = await session.clients();
  const client = clients.home;
  if (recorded) {
    session.fresh.created(recorded.snapshotId, recorded.at);
    const known = await recordedCopy(session, client, recorded.snapshotId, ctx.signal);
    if (known) {
      ctx.log.info(`using ${recorded.snapshotId}, this account's copy of ${snapshotId} made by a bake on this node`);
      if (known.State !== 'completed') await waitForCopy(session, client, recorded.snapshotId, snapshotId, options, ctx);
      return { snapshotId: recorded.snapshotId, copiedFrom: snapshotId };
    }
  }
  const earlier = await earlierCopy(client, snapshotId, clients.region, ctx.signal);
  if (earlier?.SnapshotId) {
    ctx.log.info(`using ${earlier.SnapshotId}, this account's copy of ${snapshotId} made by an earlier bake`);
    if (earlier.State !== 'completed') await waitForCopy(session, client, earlier.SnapshotId, snapshotId, options, ctx);
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
  await waitForCopy(session, client, id, snapshotId, options, ctx);
  return { snapshotId: id, copiedFrom: snapshotId };
}

/** The recorded copy as EC2 shows it (waiting out a fresh id), or undefined when it is gone or failed. */
async function recordedCopy(session: Ec2Session, client: EC2Client, id: string, signal: AbortSignal): Promise<Snapshot | undefined> {
  try {
    const snapshot = await session.fresh.call(
      id,
      async () => (await client.send(new DescribeSnapshotsCommand({ SnapshotIds: [id], OwnerIds: ['self'] }), { abortSignal: signal })).Snapshots?.[0],
      signal,
    );
    return snapshot && snapshot.State !== 'error' ? snapshot : undefined;
  } catch (error) {
    // Gone (deleted since it was recorded), or never shown within the window: copy anew.
    if (isNotFound(error) || (error instanceof AminatorError && isNotFound(error.cause))) return undefined;
    throw error;
  }
}

/** Wait for a copy to complete; one that failed is deleted (not aborted: a delete is not undone) and the bake fails saying so. */
async function waitForCopy(session: Ec2Session, client: EC2Client, id: string, source: string, options: BaseCopyOptions, ctx: StepContext): Promise<void> {
  try {
    await waitForSnapshot(client, id, options.copyTimeoutMs, session.fresh, ctx.signal, ctx.progress);
  } catch (error) {
    if (!(error instanceof AminatorError) || error.code !== Ec2ErrorCodes.SNAPSHOT_FAILED) throw error;
    const removed = await deleteSnapshot(client, id, session.fresh).then(
      () => `deleted ${id}`,
      () => `could not delete ${id}: \`aminate cleanup\` removes it`,
    );
    throw new AminatorError(`the copy of base snapshot ${source} into this account failed (${error.message}); ${removed}`, {
      code: Ec2ErrorCodes.SNAPSHOT_FAILED,
      cause: error,
      suggestions: ['retry the bake: it copies the base again', 'a copy that keeps failing: check the KMS key (kmsKeyId) and the snapshot quota'],
    });
  }
}

/** Base copies that ended in `error` (a bake that died while waiting for its copy leaves them): never read, only deleted. */
export async function findFailedBaseCopies(client: EC2Client, ctx: LeftoverContext): Promise<Leftover[]> {
  const { Snapshots = [] } = await ec2Call('DescribeSnapshots (failed base copies)', () =>
    client.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [
          { Name: 'tag:purpose', Values: [BASE_COPY_PURPOSE] },
          { Name: 'status', Values: ['error'] },
        ],
      }),
      { abortSignal: ctx.signal },
    ),
  );
  return Snapshots.map((snapshot): Leftover => {
    const id = snapshot.SnapshotId ?? '';
    const source = snapshot.Tags?.find((t) => t.Key === 'source_snapshot')?.Value ?? '?';
    return {
      phase: 'volumes',
      kind: 'snapshot',
      id,
      reason: `a copy of ${source} that failed${snapshot.StateMessage ? ` (${snapshot.StateMessage})` : ''}; no bake can use it`,
      reclaim: () => deleteSnapshot(client, id),
    };
  });
}

/** The snapshot when this account owns it and it is not public; else undefined. */
async function ownPrivate(client: EC2Client, snapshotId: string, signal: AbortSignal): Promise<Snapshot | undefined> {
  let own: Snapshot | undefined;
  try {
    own = (await client.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId], OwnerIds: ['self'] }), { abortSignal: signal })).Snapshots?.[0];
  } catch (error) {
    if (isEc2Code(error, 'InvalidSnapshot.NotFound')) return undefined;
    return ec2Call(`DescribeSnapshots ${snapshotId}`, () => Promise.reject(error));
  }
  if (!own) return undefined;
  const attribute = await ec2Call(`DescribeSnapshotAttribute ${snapshotId}`, () =>
    client.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }), { abortSignal: signal }),
  );
  return (attribute.CreateVolumePermissions ?? []).some((p) => p.Group === 'all') ? undefined : own;
}

/** The parent an EBS direct bake wrote this snapshot as a child of (its tag), if it is one. */
function directParent(snapshot: Snapshot): string | undefined {
  const tag = (key: string) => snapshot.Tags?.find((t) => t.Key === key)?.Value;
  return tag('purpose') === DIRECT_SNAPSHOT_PURPOSE ? tag(PARENT_SNAPSHOT_TAG) : undefined;
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
