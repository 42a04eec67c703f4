import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newRunId } from '@aminator/core';
import { createTestStepContext } from '@aminator/testkit';
import { Ec2TestEndpoint } from '@aminator/testkit/ec2';
import {
  GetSnapshotBlockCommand,
  ListChangedBlocksCommand,
  ListSnapshotBlocksCommand,
  PutSnapshotBlockCommand,
  StartSnapshotCommand,
} from '@aws-sdk/client-ebs';
import { DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import {
  BlockFile,
  blockDigest,
  changedBlocks,
  type DirectVolume,
  EBS_BLOCK_BYTES,
  Ec2Session,
  findFailedBaseCopies,
  findUnfinishedDirectSnapshots,
  linearChecksum,
  readableBaseSnapshot,
  SnapshotCache,
  writeSnapshot,
} from '../src/index.js';

const GiB = 1024 ** 3;
const BLOCK = EBS_BLOCK_BYTES;

/** A 1 GiB sparse disk with data in the given blocks (random bytes, so every block is distinct). */
function diskWithBlocks(path: string, blocks: readonly number[]): void {
  writeFileSync(path, '');
  truncateSync(path, GiB);
  const fd = openSync(path, 'r+');
  for (const i of blocks) writeSync(fd, randomBytes(BLOCK), 0, BLOCK, i * BLOCK);
  closeSync(fd);
}

describe('EBS direct through the real @aws-sdk/client-ebs against the test endpoint', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-ebs-direct-test-'));
  const endpoint = new Ec2TestEndpoint({ dir: join(scratch, 'endpoint') });
  const saved = { ...process.env };
  const baseBlocks = [0, 1, 2, 100, 1500];
  let ownSnapshot: string;
  let publicSnapshot: string;
  let session: Ec2Session;

  before(async () => {
    await endpoint.start();
    Object.assign(process.env, endpoint.env);
    const disk = join(scratch, 'base.raw');
    diskWithBlocks(disk, baseBlocks);
    const own = endpoint.seedImage({ name: 'own-base', ownerId: endpoint.world.instance.accountId, disk, sizeGiB: 1 });
    const vendor = endpoint.seedImage({ name: 'vendor-base', ownerId: '136693071363', disk, sizeGiB: 1, public: true });
    ownSnapshot = own.blockDeviceMappings[0]?.ebs?.snapshotId ?? '';
    publicSnapshot = vendor.blockDeviceMappings[0]?.ebs?.snapshotId ?? '';
    session = new Ec2Session({ maxAttempts: 4, consistencyWindowMs: 5_000 });
  });
  after(async () => {
    (await session.clients()).destroy();
    await endpoint.stop();
    process.env = saved;
    rmSync(scratch, { recursive: true, force: true });
  });

  const ctxOf = () => createTestStepContext({ runId: newRunId(), workDir: scratch });

  it('fills the cache once with every data block, checked against its checksum; a second bake downloads nothing', async () => {
    const cache = new SnapshotCache(join(scratch, 'cache-a'), 4);
    const { ebs } = await session.clients();
    const before = endpoint.callsOf('GetSnapshotBlock');
    const first = await cache.ensure(ebs, ownSnapshot, ctxOf().ctx);
    assert.equal(first.downloaded, baseBlocks.length);
    assert.equal(endpoint.callsOf('GetSnapshotBlock') - before, baseBlocks.length);
    assert.deepEqual(
      [...first.digests.keys()].sort((a, b) => a - b),
      baseBlocks,
    );
    const again = await cache.ensure(ebs, ownSnapshot, ctxOf().ctx);
    assert.equal(again.downloaded, 0);
    assert.equal(endpoint.callsOf('GetSnapshotBlock') - before, baseBlocks.length);
    assert.deepEqual(readFileSync(again.file).subarray(0, 3 * BLOCK), readFileSync(join(scratch, 'base.raw')).subarray(0, 3 * BLOCK));
  });

  it('a damaged cache entry is fetched again, never used; a half-written one of a dead run is a leftover', async () => {
    const dir = join(scratch, 'cache-b');
    const cache = new SnapshotCache(dir, 4);
    const { ebs } = await session.clients();
    const filled = await cache.ensure(ebs, ownSnapshot, ctxOf().ctx);
    const fd = openSync(filled.file, 'r+');
    writeSync(fd, Buffer.from('corrupt'), 0, 7, 100 * BLOCK + 10);
    closeSync(fd);
    const t = ctxOf();
    const refilled = await cache.ensure(ebs, ownSnapshot, t.ctx);
    assert.equal(refilled.downloaded, baseBlocks.length);
    assert.ok(t.logs.some((l) => /does not match its checksums/.test(l)));
    // Tampers the seal once missed: a data block changed with its mtime set back (`touch -r`), and
    // bytes written into a hole, where no digest looks.
    const tampers: Array<[string, (file: string) => void]> = [
      [
        'a block changed, mtime set back',
        (file) => {
          const before = statSync(file);
          const fd = openSync(file, 'r+');
          writeSync(fd, Buffer.from('tampered'), 0, 8, 2 * BLOCK + 100);
          closeSync(fd);
          utimesSync(file, before.atime, before.mtime);
        },
      ],
      [
        'bytes in a hole',
        (file) => {
          const fd = openSync(file, 'r+');
          writeSync(fd, Buffer.from('planted'), 0, 7, 50 * BLOCK);
          closeSync(fd);
        },
      ],
    ];
    for (const [what, tamper] of tampers) {
      tamper(refilled.file);
      const again = ctxOf();
      const reread = await cache.ensure(ebs, ownSnapshot, again.ctx);
      assert.equal(reread.downloaded, baseBlocks.length, `${what}: fetched again, not used`);
      assert.ok(
        again.logs.some((l) => /does not match its checksums/.test(l)),
        `${what}: ${again.logs.join('\n')}`,
      );
      await again.stack.unwind({ reason: 'success' });
    }
    await t.stack.unwind({ reason: 'success' });
    const deadRun = newRunId();
    writeFileSync(join(dir, `${ownSnapshot}.raw.partial-${deadRun}`), 'half');
    const leftovers = await cache.findLeftovers({ runs: { isAlive: async (id: string) => id !== deadRun }, signal: new AbortController().signal } as never);
    assert.deepEqual(
      leftovers.map((l) => l.id),
      [join(dir, `${ownSnapshot}.raw.partial-${deadRun}`)],
    );
    await leftovers[0]?.reclaim();
    assert.deepEqual(
      readdirSync(dir)
        .filter((n) => n.startsWith('snap-'))
        .sort(),
      [`${ownSnapshot}.json`, `${ownSnapshot}.raw`],
    );
  });

  it('two bakes filling the cache at once download each block once', async () => {
    const cache = new SnapshotCache(join(scratch, 'cache-c'), 2);
    const { ebs } = await session.clients();
    const before = endpoint.callsOf('GetSnapshotBlock');
    const [a, b] = await Promise.all([cache.ensure(ebs, ownSnapshot, ctxOf().ctx), cache.ensure(ebs, ownSnapshot, ctxOf().ctx)]);
    assert.equal(a.downloaded + b.downloaded, baseBlocks.length);
    assert.equal(endpoint.callsOf('GetSnapshotBlock') - before, baseBlocks.length);
  });

  it('stays within its size: the base used longest ago goes after a download, never the one just used or one a live run uses', async () => {
    const dir = join(scratch, 'cache-bounded');
    const second = join(scratch, 'second.raw');
    diskWithBlocks(second, [3, 4, 5, 6, 7]);
    const other = endpoint.seedImage({ name: 'own-base-2', ownerId: endpoint.world.instance.accountId, disk: second, sizeGiB: 1 });
    const otherSnapshot = other.blockDeviceMappings[0]?.ebs?.snapshotId ?? '';
    // Room for one base of five 512 KiB blocks, not two.
    const cache = new SnapshotCache(dir, 4, 4 * 1024 ** 2);
    const { ebs } = await session.clients();
    const entries = () =>
      readdirSync(dir)
        .filter((n) => n.startsWith('snap-'))
        .sort();
    /** A bake that uses the base and ends (its cleanup releases the base). */
    const bake = async (snapshotId: string) => {
      const t = ctxOf();
      await cache.ensure(ebs, snapshotId, t.ctx);
      await t.stack.unwind({ reason: 'success' });
      return t;
    };
    await bake(ownSnapshot);
    const t = await bake(otherSnapshot);
    assert.deepEqual(entries(), [`${otherSnapshot}.json`, `${otherSnapshot}.raw`], 'the older base was removed');
    assert.ok(
      t.logs.some((l) => l.includes(`removed cached ${ownSnapshot}`)),
      t.logs.join('\n'),
    );

    // A bake still running on the cached base (it copies and compares it long after ensure): it stays, and the cache says it is over its size.
    const running = ctxOf();
    await cache.ensure(ebs, otherSnapshot, running.ctx);
    const u = await bake(ownSnapshot);
    assert.deepEqual(entries(), [`${otherSnapshot}.json`, `${otherSnapshot}.raw`, `${ownSnapshot}.json`, `${ownSnapshot}.raw`].sort());
    assert.ok(
      u.logs.some((l) => /warn the snapshot cache holds \d+ MiB, more than its 4 MiB/.test(l)),
      u.logs.join('\n'),
    );
    // Even a bake given another lock directory: the cache's locks and marks are the cache's own.
    const elsewhere = new SnapshotCache(dir, 4, 4 * 1024 ** 2);
    rmSync(join(dir, `${ownSnapshot}.json`));
    const v = ctxOf();
    await elsewhere.ensure(ebs, ownSnapshot, v.ctx);
    await v.stack.unwind({ reason: 'success' });
    assert.ok(entries().includes(`${otherSnapshot}.raw`), 'the base a live run uses is never evicted');
    await running.stack.unwind({ reason: 'success' });

    // A cached base used again counts as used: the next download removes the other one.
    await bake(otherSnapshot);
    rmSync(join(dir, `${ownSnapshot}.json`));
    await bake(ownSnapshot);
    assert.deepEqual(entries(), [`${ownSnapshot}.json`, `${ownSnapshot}.raw`]);
    assert.deepEqual(readdirSync(join(dir, 'in-use')), [], 'every run released what it used');
    // A run killed while it used a base: its mark is a leftover, and the lock of a dead owner too.
    const killed = newRunId();
    writeFileSync(join(dir, 'in-use', `${ownSnapshot}.${killed}`), JSON.stringify({ pid: 2 ** 22 + 1, runId: killed }));
    const leftovers = await cache.findLeftovers({ runs: { isAlive: async () => true }, signal: new AbortController().signal } as never);
    assert.deepEqual(
      leftovers.map((l) => l.id),
      [join(dir, 'in-use', `${ownSnapshot}.${killed}`)],
    );
    await leftovers[0]?.reclaim();
  });

  it('refuses to read a public snapshot; copies it into the account once and reuses the copy', async () => {
    const { ebs } = await session.clients();
    await assert.rejects(ebs.send(new ListSnapshotBlocksCommand({ SnapshotId: publicSnapshot })), { name: 'AccessDeniedException' });
    const options = { encrypted: false, copyTimeoutMs: 10_000 };
    const first = await readableBaseSnapshot(session, publicSnapshot, options, ctxOf().ctx);
    assert.equal(first.copiedFrom, publicSnapshot);
    assert.notEqual(first.snapshotId, publicSnapshot);
    const second = await readableBaseSnapshot(session, publicSnapshot, options, ctxOf().ctx);
    assert.equal(second.snapshotId, first.snapshotId);
    assert.equal(endpoint.callsOf('CopySnapshot'), 1);
    assert.deepEqual(await readableBaseSnapshot(session, ownSnapshot, options, ctxOf().ctx), { snapshotId: ownSnapshot });
  });

  it('bakes at once that share a cache (a node) copy a public base once between them, though EC2 does not list the new copy yet', async () => {
    const disk = join(scratch, 'vendor2.raw');
    diskWithBlocks(disk, [3]);
    const vendor = endpoint.seedImage({ name: 'vendor-base-2', ownerId: '136693071363', disk, sizeGiB: 1, public: true });
    const source = vendor.blockDeviceMappings[0]?.ebs?.snapshotId ?? '';
    const cache = new SnapshotCache(join(scratch, 'cache-copies'), 4);
    const options = { encrypted: false, copyTimeoutMs: 10_000 };
    const copies = endpoint.callsOf('CopySnapshot');
    // Each bake its own process: its own session, which knows nothing of the other's copy.
    const sessions = [0, 1, 2].map(() => new Ec2Session({ maxAttempts: 4, consistencyWindowMs: 5_000 }));
    try {
      const found = await Promise.all(sessions.map((s) => readableBaseSnapshot(s, source, options, ctxOf().ctx, cache)));
      assert.equal(endpoint.callsOf('CopySnapshot') - copies, 1, 'one copy for the three');
      assert.equal(new Set(found.map((f) => f.snapshotId)).size, 1);
      // Without the node's record, a bake right after would not see the copy yet (hidden for 2 s) and copy again.
      const alone = await readableBaseSnapshot(new Ec2Session({ maxAttempts: 4, consistencyWindowMs: 5_000 }), source, options, ctxOf().ctx, cache);
      assert.equal(alone.snapshotId, found[0]?.snapshotId);
      assert.equal(endpoint.callsOf('CopySnapshot') - copies, 1);
    } finally {
      for (const s of sessions) await s.dispose();
    }
  });

  it('a base copy that fails is deleted and the bake says so; one left failing by a bake that stopped waiting is a leftover', async () => {
    const disk = join(scratch, 'base.raw');
    const copiesOf = (source: string) => [...endpoint.world.snapshots.values()].filter((s) => s.tags.source_snapshot === source);
    const options = { encrypted: false, copyTimeoutMs: 10_000 };
    const noRuns = { runs: { isAlive: async () => false }, signal: new AbortController().signal } as never;
    endpoint.world.faults.snapshotFails = true;
    try {
      const vendor = endpoint.seedImage({ name: 'vendor-failing', ownerId: '136693071363', disk, sizeGiB: 1, public: true });
      const source = vendor.blockDeviceMappings[0]?.ebs?.snapshotId ?? '';
      await assert.rejects(readableBaseSnapshot(session, source, options, ctxOf().ctx), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'E_SNAPSHOT_FAILED');
        assert.match(error.message, new RegExp(`the copy of base snapshot ${source} into this account failed .*; deleted snap-`));
        return true;
      });
      assert.deepEqual(copiesOf(source), [], 'the failed copy is gone');

      endpoint.world.delays.copy = 300;
      const t = ctxOf();
      const copying = readableBaseSnapshot(session, source, options, t.ctx);
      while (copiesOf(source).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      t.abort.abort(new Error('SIGINT'));
      await assert.rejects(copying, /SIGINT/);
      const [left] = copiesOf(source);
      assert.equal(left?.state, 'pending', 'a copy being made is kept when the bake stops (the next one reuses it)');
      while (left?.state === 'pending') await new Promise((resolve) => setTimeout(resolve, 20));
      const leftovers = await findFailedBaseCopies((await session.clients()).home, noRuns);
      assert.deepEqual(
        leftovers.map((l) => [l.kind, l.id]),
        [['snapshot', left?.id]],
      );
      assert.match(leftovers[0]?.reason ?? '', new RegExp(`a copy of ${source} that failed`));
      await leftovers[0]?.reclaim();
      assert.deepEqual(copiesOf(source), []);
      assert.deepEqual(await findFailedBaseCopies((await session.clients()).home, noRuns), []);
    } finally {
      endpoint.world.faults.snapshotFails = false;
      endpoint.world.delays.copy = 0;
    }
  });

  it('rides out throttled block reads, and copies a public base encrypted when the account encrypts by default', async () => {
    const cache = new SnapshotCache(join(scratch, 'cache-throttled'), 4);
    const { ebs } = await session.clients();
    endpoint.world.faults.failNext.push({ action: 'GetSnapshotBlock', code: 'RequestThrottledException', status: 400, times: 3 });
    const filled = await cache.ensure(ebs, ownSnapshot, ctxOf().ctx);
    assert.equal(filled.downloaded, baseBlocks.length);
    assert.equal(endpoint.world.faults.failNext.at(-1)?.times, 0, 'the throttling happened');
    const disk = join(scratch, 'base.raw');
    const vendor = endpoint.seedImage({ name: 'vendor-encrypted', ownerId: '136693071363', disk, sizeGiB: 1, public: true });
    endpoint.world.encryptionByDefault = true;
    try {
      const copy = await readableBaseSnapshot(
        session,
        vendor.blockDeviceMappings[0]?.ebs?.snapshotId ?? '',
        { encrypted: false, copyTimeoutMs: 10_000 },
        ctxOf().ctx,
      );
      assert.equal(endpoint.world.snapshots.get(copy.snapshotId)?.encrypted, true);
    } finally {
      endpoint.world.encryptionByDefault = false;
      endpoint.world.faults.failNext.length = 0;
    }
  });

  it('writes exactly the changed blocks (a zeroed data block too) as a child of the parent, with the LINEAR checksum', async () => {
    const cache = new SnapshotCache(join(scratch, 'cache-d'), 4);
    const { ebs, home } = await session.clients();
    const parent = await cache.ensure(ebs, ownSnapshot, ctxOf().ctx);
    const work = join(scratch, 'work.raw');
    writeFileSync(work, readFileSync(parent.file));
    truncateSync(work, 2 * GiB);
    const file = new BlockFile(work, 'r+');
    file.write(1, randomBytes(BLOCK)); // changed
    file.write(100, Buffer.alloc(BLOCK)); // data in the parent, zero now
    file.write(7, randomBytes(BLOCK)); // new
    file.write(2500, randomBytes(BLOCK)); // past the parent's size (grown)
    file.write(2, file.read(2)); // rewritten with the same bytes: not a change
    file.close();
    const volume: DirectVolume = { id: 'vol-test', file: work, sizeBytes: 2 * GiB, parent };
    const changed = changedBlocks(volume);
    assert.deepEqual(changed.indexes, [1, 7, 100, 2500]);
    endpoint.world.faults.failNext.push({ action: 'PutSnapshotBlock', code: 'RequestThrottledException', times: 2 });
    const t = ctxOf();
    const id = await writeSnapshot(
      session,
      volume,
      changed,
      { concurrency: 3, timeoutMinutes: 10, snapshotTimeoutMs: 10_000, description: 'test', tags: [] },
      t.ctx,
    );
    assert.equal(endpoint.callsOf('PutSnapshotBlock') >= 4 + 2, true);
    const listed = await ebs.send(new ListSnapshotBlocksCommand({ SnapshotId: id }));
    assert.equal(listed.VolumeSize, 2);
    const indexes = (listed.Blocks ?? []).map((b) => b.BlockIndex);
    assert.deepEqual(indexes, [0, 1, 2, 7, 100, 1500, 2500]);
    const expected = new BlockFile(work, 'r');
    for (const block of listed.Blocks ?? []) {
      const got = await ebs.send(new GetSnapshotBlockCommand({ SnapshotId: id, BlockIndex: block.BlockIndex, BlockToken: block.BlockToken }));
      const data = Buffer.from((await got.BlockData?.transformToByteArray()) ?? []);
      assert.ok(data.equals(expected.read(block.BlockIndex ?? -1)), `block ${block.BlockIndex} reads back as written`);
    }
    expected.close();
    const diff = await ebs.send(new ListChangedBlocksCommand({ FirstSnapshotId: ownSnapshot, SecondSnapshotId: id }));
    assert.deepEqual(
      (diff.ChangedBlocks ?? []).map((b) => b.BlockIndex),
      [1, 7, 100, 2500],
    );
    const described = (await home.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }))).Snapshots?.[0];
    assert.equal(described?.State, 'completed');
    assert.ok(described?.Tags?.some((tag) => tag.Key === 'run_id' && tag.Value === t.ctx.runId));
    assert.equal(endpoint.world.snapshots.get(id)?.parentId, ownSnapshot);
  });

  it('a snapshot an EBS direct bake wrote is cached from its cached parent: only the blocks that differ are fetched', async () => {
    const cache = new SnapshotCache(join(scratch, 'cache-child'), 4);
    const { ebs } = await session.clients();
    const parent = await cache.ensure(ebs, ownSnapshot, ctxOf().ctx);
    const work = join(scratch, 'work-child.raw');
    writeFileSync(work, readFileSync(parent.file));
    const file = new BlockFile(work, 'r+');
    file.write(2, randomBytes(BLOCK));
    file.write(1500, Buffer.alloc(BLOCK));
    file.write(900, randomBytes(BLOCK));
    file.close();
    const volume: DirectVolume = { id: 'vol-test-child', file: work, sizeBytes: GiB, parent };
    const options = { concurrency: 2, timeoutMinutes: 10, snapshotTimeoutMs: 10_000, description: 'child', tags: [] };
    const child = await writeSnapshot(session, volume, changedBlocks(volume), options, ctxOf().ctx);

    const readable = await readableBaseSnapshot(session, child, { encrypted: false, copyTimeoutMs: 10_000 }, ctxOf().ctx);
    assert.deepEqual(readable, { snapshotId: child, directParent: ownSnapshot }, 'the parent is read from the tag the writer set');
    const gets = endpoint.callsOf('GetSnapshotBlock');
    const filling = ctxOf();
    const cached = await cache.ensure(ebs, child, filling.ctx, readable.directParent);
    assert.equal(cached.downloaded, 3);
    assert.deepEqual(
      filling.logs.filter((l) => l.startsWith('info')),
      [
        `info using the cached parent ${ownSnapshot} (5 blocks)`,
        `info cached ${child}: 3 blocks that differ from ${ownSnapshot} downloaded, the other 3 copied from its cache`,
      ],
    );
    assert.equal(endpoint.callsOf('GetSnapshotBlock') - gets, 3, 'only the blocks that differ are fetched');

    const full = await new SnapshotCache(join(scratch, 'cache-child-full'), 4).ensure(ebs, child, ctxOf().ctx);
    assert.equal(full.downloaded, baseBlocks.length + 1);
    assert.deepEqual(
      [...cached.digests].sort(([a], [b]) => a - b),
      [...full.digests].sort(([a], [b]) => a - b),
      'the same digests as a full download',
    );
    const [mine, theirs, written] = [new BlockFile(cached.file, 'r'), new BlockFile(full.file, 'r'), new BlockFile(work, 'r')];
    try {
      for (const i of [...baseBlocks, 900]) {
        assert.ok(mine.read(i).equals(theirs.read(i)), `block ${i} as a full download has it`);
        assert.ok(mine.read(i).equals(written.read(i)), `block ${i} as the bake wrote it`);
      }
    } finally {
      for (const f of [mine, theirs, written]) f.close();
    }

    rmSync(join(scratch, 'cache-child', `${child}.json`));
    rmSync(join(scratch, 'cache-child', `${ownSnapshot}.json`));
    const withoutParent = await cache.ensure(ebs, child, ctxOf().ctx, ownSnapshot);
    assert.equal(withoutParent.downloaded, baseBlocks.length + 1, 'the parent no longer cached: every block fetched');

    // parent_snapshot tags that loop: two bakes at once, each naming the other's snapshot as its
    // parent, both finish (no wait for each other's lock); then the loop is an error, not a hang.
    const loop = new SnapshotCache(join(scratch, 'cache-loop'), 4);
    await loop.ensure(ebs, ownSnapshot, ctxOf().ctx);
    const settled = await Promise.allSettled([loop.ensure(ebs, child, ctxOf().ctx, ownSnapshot), loop.ensure(ebs, ownSnapshot, ctxOf().ctx, child)]);
    assert.equal(settled[0]?.status, 'fulfilled');
    // Whether that child was filled from its parent depends on which lock was free when; in a cache
    // that surely holds it as the parent's child, naming it as the parent's parent is the error.
    const lineage = new SnapshotCache(join(scratch, 'cache-lineage'), 4);
    await lineage.ensure(ebs, ownSnapshot, ctxOf().ctx);
    assert.equal((await lineage.ensure(ebs, child, ctxOf().ctx, ownSnapshot)).downloaded, 3, 'filled from its parent');
    await assert.rejects(
      lineage.ensure(ebs, ownSnapshot, ctxOf().ctx, child),
      /names .* as its parent_snapshot, and the cache holds .* as a child of .*: the lineage loops/,
    );
  });

  it('the endpoint refuses a block whose checksum does not match, and a wrong LINEAR aggregate', async () => {
    const { ebs } = await session.clients();
    const started = await ebs.send(new StartSnapshotCommand({ VolumeSize: 1, ParentSnapshotId: ownSnapshot, Timeout: 10 }));
    const data = randomBytes(BLOCK);
    await assert.rejects(
      ebs.send(
        new PutSnapshotBlockCommand({
          SnapshotId: started.SnapshotId,
          BlockIndex: 3,
          BlockData: data,
          DataLength: BLOCK,
          Checksum: blockDigest(randomBytes(BLOCK)),
          ChecksumAlgorithm: 'SHA256',
        }),
      ),
      { name: 'ValidationException' },
    );
    await ebs.send(
      new PutSnapshotBlockCommand({
        SnapshotId: started.SnapshotId,
        BlockIndex: 3,
        BlockData: data,
        DataLength: BLOCK,
        Checksum: blockDigest(data),
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    const { CompleteSnapshotCommand } = await import('@aws-sdk/client-ebs');
    await assert.rejects(
      ebs.send(
        new CompleteSnapshotCommand({
          SnapshotId: started.SnapshotId,
          ChangedBlocksCount: 1,
          Checksum: linearChecksum([blockDigest(randomBytes(8))]),
          ChecksumAlgorithm: 'SHA256',
          ChecksumAggregationMethod: 'LINEAR',
        }),
      ),
      { name: 'ValidationException' },
    );
    await assert.rejects(ebs.send(new StartSnapshotCommand({ VolumeSize: 1, ParentSnapshotId: ownSnapshot, Encrypted: true })), {
      name: 'ValidationException',
    });
  });

  it('an interrupted write: puts in flight finish, the undo completes and deletes the snapshot; a dead run’s unfinished snapshot is found', async () => {
    const cache = new SnapshotCache(join(scratch, 'cache-d'), 4);
    const { ebs } = await session.clients();
    const parent = await cache.ensure(ebs, ownSnapshot, ctxOf().ctx);
    const work = join(scratch, 'work-2.raw');
    writeFileSync(work, readFileSync(parent.file));
    const file = new BlockFile(work, 'r+');
    for (let i = 200; i < 260; i++) file.write(i, randomBytes(BLOCK));
    file.close();
    const volume: DirectVolume = { id: 'vol-test-2', file: work, sizeBytes: GiB, parent };
    const t = ctxOf();
    let puts = 0;
    const before = endpoint.callsOf('PutSnapshotBlock');
    const timer = setInterval(() => {
      puts = endpoint.callsOf('PutSnapshotBlock') - before;
      if (puts >= 10) t.abort.abort(new Error('SIGINT'));
    }, 5);
    await assert.rejects(
      writeSnapshot(
        session,
        volume,
        changedBlocks(volume),
        { concurrency: 2, timeoutMinutes: 10, snapshotTimeoutMs: 10_000, description: 'x', tags: [] },
        t.ctx,
      ),
      /SIGINT/,
    );
    clearInterval(timer);
    const pending = [...endpoint.world.snapshots.values()].find((s) => s.tags.run_id === t.ctx.runId);
    assert.equal(pending?.state, 'pending');
    const leftovers = await findUnfinishedDirectSnapshots((await session.clients()).home, session.leases.terms, {
      runs: { isAlive: async () => false },
      signal: new AbortController().signal,
    } as never);
    assert.ok(leftovers.some((l) => l.id === pending?.id));
    assert.deepEqual((await t.stack.unwind({ reason: 'interrupted' })).errors, []);
    assert.equal(endpoint.world.snapshots.has(pending?.id ?? ''), false);
    assert.equal(existsSync(pending?.file ?? '/'), false);
  });

  it('StartSnapshot’s Timeout moves an unfinished snapshot to error', async () => {
    endpoint.ebs.minuteMs = 10;
    try {
      const { ebs } = await session.clients();
      const started = await ebs.send(new StartSnapshotCommand({ VolumeSize: 1, Timeout: 10 }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(endpoint.world.snapshots.get(started.SnapshotId ?? '')?.state, 'error');
    } finally {
      endpoint.ebs.minuteMs = 60_000;
    }
  });
});
