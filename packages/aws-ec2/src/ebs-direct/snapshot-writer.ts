import { hostname } from 'node:os';
import { AminatorError, type StepContext } from '@aminator/core';
import { CompleteSnapshotCommand, type EBSClient, PutSnapshotBlockCommand, StartSnapshotCommand } from '@aws-sdk/client-ebs';
import { CreateTagsCommand, DeleteSnapshotCommand, type EC2Client, type Tag } from '@aws-sdk/client-ec2';
import { persistently, unlessAbortedBefore } from '../cleanup-calls.js';
import { Ec2ErrorCodes, ec2Call, isEc2Code } from '../ec2-errors.js';
import type { Ec2Session } from '../ec2-session.js';
import { waitForSnapshot } from '../image-waits.js';
import { forEachBounded } from './bounded.js';
import type { DirectVolume } from './direct-volumes.js';
import { BlockFile, blockDigest, EBS_BLOCK_BYTES, linearChecksum } from './ebs-blocks.js';
import { hostId } from './host-id.js';

/** `purpose` tag of a snapshot written with EBS direct, until its image is complete (`status=finalized`). */
export const DIRECT_SNAPSHOT_PURPOSE = 'aminator-direct-snapshot';
/** Tag naming the snapshot an EBS direct snapshot was written as a child of: reading it later fetches only what differs. */
export const PARENT_SNAPSHOT_TAG = 'parent_snapshot';

export interface ChangedBlocks {
  readonly indexes: readonly number[];
  /** Blocks examined, for the log. */
  readonly total: number;
}

export interface WriteOptions {
  readonly concurrency: number;
  /** StartSnapshot's Timeout: an unfinished snapshot goes to `error` after this many minutes. */
  readonly timeoutMinutes: number;
  readonly snapshotTimeoutMs: number;
  readonly description: string;
  readonly tags: readonly Tag[];
}

/**
 * The blocks of the working file that differ from its parent, and no others. The working copy was
 * made from the parent's cached blocks, so each block is compared with the cached one (a block past
 * the parent's end, when the volume grew, with zeros): a block that held data in the parent and is
 * zero now differs and is written (zeros) — otherwise the parent's data would show through.
 */
export function changedBlocks(volume: DirectVolume): ChangedBlocks {
  const total = Math.ceil(volume.sizeBytes / EBS_BLOCK_BYTES);
  const work = new BlockFile(volume.file, 'r');
  const parent = new BlockFile(volume.parent.file, 'r');
  const mine = Buffer.alloc(EBS_BLOCK_BYTES);
  const theirs = Buffer.alloc(EBS_BLOCK_BYTES);
  const indexes: number[] = [];
  try {
    for (let i = 0; i < total; i++) if (!work.read(i, mine).equals(parent.read(i, theirs))) indexes.push(i);
  } finally {
    work.close();
    parent.close();
  }
  return { indexes, total };
}

/**
 * A new snapshot whose parent is the volume's: StartSnapshot, every changed block put with its
 * SHA-256, CompleteSnapshot with the LINEAR aggregate, then the wait for `completed`. The snapshot is
 * pushed `on-failure` as soon as it exists; puts in flight are never cut off, so the count of blocks
 * written is always known to the undo.
 */
export async function writeSnapshot(
  session: Ec2Session,
  volume: DirectVolume,
  changed: ChangedBlocks,
  options: WriteOptions,
  ctx: StepContext,
): Promise<string> {
  const clients = await session.clients();
  const { ebs } = clients;
  const lease = session.leases.begin();
  const tags = [
    ...options.tags,
    // DIRECT_SNAPSHOT_OWN_TAGS counts these and the two of markDirectSnapshotFinalized.
    { Key: 'purpose', Value: DIRECT_SNAPSHOT_PURPOSE },
    { Key: PARENT_SNAPSHOT_TAG, Value: volume.parent.snapshotId },
    { Key: 'status', Value: 'building' },
    { Key: 'run_id', Value: ctx.runId },
    { Key: 'pid', Value: String(process.pid) },
    { Key: 'host', Value: hostId() },
    { Key: 'hostname', Value: hostname() },
    lease.tag,
  ];
  const started = await ec2Call('StartSnapshot', () =>
    ebs.send(
      new StartSnapshotCommand({
        VolumeSize: Math.ceil(volume.sizeBytes / 1024 ** 3),
        ParentSnapshotId: volume.parent.snapshotId,
        Timeout: options.timeoutMinutes,
        ClientToken: `aminate-${ctx.runId}-${volume.id}`,
        Description: options.description,
        Tags: tags.map((t) => ({ Key: t.Key, Value: t.Value })),
      }),
      unlessAbortedBefore(ctx.signal),
    ),
  );
  const id = started.SnapshotId ?? '';
  session.fresh.created(id);
  lease.hold(id, ctx);
  const written = new Map<number, string>();
  ctx.cleanup.push({
    description: `delete snapshot ${id}`,
    when: 'on-failure',
    resource: { kind: 'snapshot', id },
    manual: [['aws', 'ec2', 'delete-snapshot', '--snapshot-id', id]],
    undo: () => abandonSnapshot(ebs, clients.home, session, id, written.size, options.snapshotTimeoutMs),
  });
  const data = new BlockFile(volume.file, 'r');
  let done = 0;
  ctx.progress(`snapshot ${id}: writing ${changed.indexes.length} of ${changed.total} blocks`, 0);
  try {
    await forEachBounded(changed.indexes, options.concurrency, ctx.signal, async (index) => {
      const block = data.read(index);
      const digest = blockDigest(block);
      await ec2Call(`PutSnapshotBlock ${id} #${index}`, () =>
        session.fresh.call(id, () =>
          ebs.send(
            new PutSnapshotBlockCommand({
              SnapshotId: id,
              BlockIndex: index,
              BlockData: block,
              DataLength: block.length,
              Checksum: digest,
              ChecksumAlgorithm: 'SHA256',
              Progress: Math.floor((done / Math.max(1, changed.indexes.length)) * 100),
            }),
          ),
        ),
      );
      written.set(index, digest);
      done++;
      if (done % 64 === 0 || done === changed.indexes.length)
        ctx.progress(`snapshot ${id}: ${done}/${changed.indexes.length} blocks written`, Math.floor((done / changed.indexes.length) * 100));
    });
  } finally {
    data.close();
  }
  const checksum = linearChecksum([...written].sort(([a], [b]) => a - b).map(([, digest]) => digest));
  const completed = await ec2Call(`CompleteSnapshot ${id}`, () =>
    ebs.send(
      new CompleteSnapshotCommand({
        SnapshotId: id,
        ChangedBlocksCount: written.size,
        Checksum: checksum,
        ChecksumAlgorithm: 'SHA256',
        ChecksumAggregationMethod: 'LINEAR',
      }),
      unlessAbortedBefore(ctx.signal),
    ),
  );
  if (completed.Status === 'error') throw new AminatorError(`snapshot ${id} went into state error on completion`, { code: Ec2ErrorCodes.SNAPSHOT_FAILED });
  await waitForSnapshot(clients.home, id, options.snapshotTimeoutMs, session.fresh, ctx.signal, ctx.progress);
  return id;
}

/**
 * Remove an EBS direct snapshot this bake started. EC2 does not delete one that is still being
 * written: it is completed first with the blocks that were put (all of them finished, none in flight),
 * then deleted once `completed`.
 */
async function abandonSnapshot(ebs: EBSClient, ec2: EC2Client, session: Ec2Session, id: string, written: number, timeoutMs: number): Promise<void> {
  const remove = (): Promise<unknown> => session.fresh.call(id, () => persistently(() => ec2.send(new DeleteSnapshotCommand({ SnapshotId: id }))));
  try {
    await remove();
    return;
  } catch (error) {
    if (isEc2Code(error, 'InvalidSnapshot.NotFound')) return;
    if (!isEc2Code(error, 'IncorrectState')) throw error;
  }
  await session.fresh.call(id, () => persistently(() => ebs.send(new CompleteSnapshotCommand({ SnapshotId: id, ChangedBlocksCount: written }))));
  await waitForSnapshot(ec2, id, timeoutMs, session.fresh, new AbortController().signal, () => undefined).catch(() => undefined);
  await remove();
}

/** The image made from this snapshot is complete: `aminate cleanup` after a crash keeps both. */
/**
 * The tags an EBS direct snapshot carries beside the image's (purpose, parent_snapshot, status,
 * run_id, pid, host, hostname; image_id when finalized): they count against EC2's 50 tags, so the
 * plan refuses user tags that would not leave room for them.
 */
export const DIRECT_SNAPSHOT_OWN_TAGS = 9;

export async function markDirectSnapshotFinalized(session: Ec2Session, snapshotId: string, imageId: string): Promise<void> {
  // Finished: no host's cleanup touches it now, whatever its lease says.
  session.leases.release(snapshotId);
  const { home } = await session.clients();
  await session.fresh.call(snapshotId, () =>
    persistently(() =>
      home.send(
        new CreateTagsCommand({
          Resources: [snapshotId],
          Tags: [
            { Key: 'status', Value: 'finalized' },
            { Key: 'image_id', Value: imageId },
          ],
        }),
      ),
    ),
  );
}
