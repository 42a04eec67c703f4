import { closeSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import {
  AminatorError,
  assertPrivateDirectory,
  createExclusiveSync,
  FileLockManager,
  isOwnerAlive,
  isRunId,
  type Leftover,
  type LeftoverContext,
  type LockManager,
  newRunId,
  readFileNoFollow,
  readOwnerFile,
  removeFileIfPresent,
  runOwnerText,
  type StepContext,
  waitForLock,
  writeNewFile,
  writeNewFileSync,
} from '@aminator/core';
import { type EBSClient, GetSnapshotBlockCommand, paginateListChangedBlocks, paginateListSnapshotBlocks } from '@aws-sdk/client-ebs';
import { Ec2ErrorCodes, ec2Call, isEc2Code } from '../ec2-errors.js';
import { forEachBounded } from './bounded.js';
import { BlockFile, blockDigest, EBS_BLOCK_BYTES } from './ebs-blocks.js';

/** The copy of a base a bake sharing this cache made, and when. */
export interface RecordedCopy {
  readonly snapshotId: string;
  readonly at: number;
}

/** A snapshot in the cache: its blocks in a sparse file, and the SHA-256 of every block that holds data. */
export interface CachedSnapshot {
  readonly snapshotId: string;
  readonly file: string;
  readonly sizeGiB: number;
  /** Block index → SHA-256 (base64), as GetSnapshotBlock returned it and the cache was checked against. */
  readonly digests: ReadonlyMap<number, string>;
  /** Blocks fetched by this call (0: it was cached). */
  readonly downloaded: number;
}

interface CacheIndex {
  readonly snapshotId: string;
  readonly sizeGiB: number;
  readonly blockBytes: number;
  readonly blocks: ReadonlyArray<readonly [number, string]>;
  /** The blocks file as it was when every block last matched its digest (inode, size, mtime and ctime in ns). */
  readonly seal?: string;
  /** The snapshot it was filled from as a child (parent_snapshot), to refuse a lineage that loops. */
  readonly parent?: string;
}

const SNAPSHOT_ID = /^snap-[0-9a-f]{8,17}$/;
const INDEX_FILE = /^(snap-[0-9a-f]{8,17})\.json$/;
const PARTIAL = /^(snap-[0-9a-f]{8,17})\.(raw|json)\.partial-([0-9a-f]+)$/;
const CHECKSUM_ATTEMPTS = 3;
/** Below the cache directory: its locks (with the cache, whatever --lock-dir a bake was given) and its in-use marks. */
const LOCKS_DIR = 'locks';
const IN_USE_DIR = 'in-use';
/** `<source snapshot>` → the id of this account's copy of it a bake here made (one line). */
const COPIES_DIR = 'copies';
const IN_USE = /^(snap-[0-9a-f]{8,17})\.([0-9a-f]+)$/;

/**
 * Base snapshots read once with ListSnapshotBlocks/GetSnapshotBlock and kept on this host, keyed by
 * snapshot id (a snapshot never changes). A fill goes to files named with the run, renamed into place
 * (blocks first, then the index that makes the entry complete), under a lock per snapshot: a second
 * bake waits for the first instead of downloading again, and a bake killed mid-download leaves only a
 * partial file that is never read (`aminate cleanup` removes it). The index seals the blocks file as
 * it was when every block matched its digest; a file that changed since (anything wrote to it) is
 * checked block by block again, and fetched again when a block does not match — never baked on.
 *
 * The cache is bounded (`maxBytes` of blocks on disk): after a fill, the entries used longest ago
 * (the index's mtime is touched on every use) are removed until the rest fit — never the one just
 * used, never one a live run marked in use (from its `ensure` until its cleanup: the bake copies the
 * base and compares against it long after), and the index first, so a removal cut short leaves an
 * entry that is never read rather than one that is read half. Locks and in-use marks live in the
 * cache directory: bakes that share a cache exclude each other whatever lock directory each was given.
 */
export class SnapshotCache {
  constructor(
    readonly dir: string,
    private readonly concurrency: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * The snapshot's blocks, from the cache or fetched into it now, marked in use by this run until its
   * cleanup. With `parent` (the snapshot it was written as a child of: an AMI an EBS direct bake made,
   * verified or baked on) and that parent cached, only the blocks ListChangedBlocks names are fetched;
   * the rest are the parent's.
   */
  async ensure(ebs: EBSClient, snapshotId: string, ctx: StepContext, parent?: string): Promise<CachedSnapshot> {
    if (!SNAPSHOT_ID.test(snapshotId)) throw new Error(`not a snapshot id: ${snapshotId}`);
    this.prepare();
    if (parent && this.recordedParent(parent) === snapshotId) throw lineageCycle(snapshotId, parent);
    const locks = this.locks(ctx.runId);
    const lock = await this.lock(locks, snapshotId, ctx);
    try {
      const cached =
        this.verified(snapshotId, ctx) ??
        (parent && SNAPSHOT_ID.test(parent) && parent !== snapshotId ? await this.fillFromParent(ebs, locks, snapshotId, parent, ctx) : undefined) ??
        (await this.fill(ebs, snapshotId, ctx));
      this.touch(snapshotId);
      this.markInUse(snapshotId, ctx);
      if (cached.downloaded > 0) await this.prune(locks, snapshotId, ctx);
      return cached;
    } finally {
      await lock.release();
    }
  }

  /**
   * Bakes that share this cache (one node's pods, one host's bakes) make one copy of a base into the
   * account between them: `find` runs under the node's lock for copies of `source`, and learns the copy
   * an earlier bake here made (EC2 may not list it yet: it was made moments ago); what it returns as
   * made is recorded for the next.
   */
  async coordinateCopy<T extends { readonly snapshotId: string }>(
    source: string,
    ctx: StepContext,
    find: (recorded: RecordedCopy | undefined) => Promise<T>,
  ): Promise<T> {
    if (!SNAPSHOT_ID.test(source)) throw new Error(`not a snapshot id: ${source}`);
    this.prepare();
    const lock = await waitForLock(this.locks(ctx.runId), `ebs-copy-${source}`, {
      signal: ctx.signal,
      intervalMs: 500,
      onWait: () => ctx.progress(`waiting for another bake's copy of ${source}`),
    });
    try {
      const dir = join(this.dir, COPIES_DIR);
      const record = join(dir, source);
      // Never through a link planted in its place: the cache's own files are read as written.
      const [id = '', at = ''] = existsSync(record) ? (await readFileNoFollow(record)).trim().split(' ') : [];
      const recorded = SNAPSHOT_ID.test(id) && Number.isFinite(Date.parse(at)) ? { snapshotId: id, at: Date.parse(at) } : undefined;
      const found = await find(recorded);
      if (found.snapshotId !== recorded?.snapshotId && found.snapshotId !== source) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        await writeNewFile(`${record}.${ctx.runId}`, `${found.snapshotId} ${new Date().toISOString()}\n`, 0o600);
        renameSync(`${record}.${ctx.runId}`, record);
      }
      return found;
    } finally {
      await lock.release();
    }
  }

  /** Mark an entry used now: pruning removes the entries used longest ago. */
  private touch(snapshotId: string): void {
    const now = new Date();
    utimesSync(this.paths(snapshotId).index, now, now);
  }

  private locks(runId: string): LockManager {
    return new FileLockManager(join(this.dir, LOCKS_DIR), runId);
  }

  private lock(locks: LockManager, snapshotId: string, ctx: StepContext) {
    return waitForLock(locks, cacheLockName(snapshotId), {
      signal: ctx.signal,
      intervalMs: 500,
      onWait: () => ctx.progress(`waiting for another bake to finish caching ${snapshotId}`),
    });
  }

  /** This run uses the entry until its cleanup (made under the entry's lock, so no prune slips in between). */
  private markInUse(snapshotId: string, ctx: StepContext): void {
    const dir = join(this.dir, IN_USE_DIR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const mark = join(dir, `${snapshotId}.${ctx.runId}`);
    if (existsSync(mark)) return;
    writeNewFileSync(mark, runOwnerText(ctx.runId), 0o600);
    ctx.cleanup.push({ description: `release the cached ${snapshotId}`, evenWhenPreserving: true, undo: () => removeFileIfPresent(mark) });
  }

  /** In-use marks of `snapshotId` (all, without it) and whether the run that made each still runs. */
  private async inUseMarks(snapshotId?: string): Promise<Array<{ path: string; snapshotId: string; runId: string; alive: boolean }>> {
    const dir = join(this.dir, IN_USE_DIR);
    const marks = (existsSync(dir) ? readdirSync(dir) : []).flatMap((name) => {
      const match = IN_USE.exec(name);
      return match && (!snapshotId || match[1] === snapshotId) ? [{ path: join(dir, name), snapshotId: match[1] as string, runId: match[2] as string }] : [];
    });
    return Promise.all(
      marks.map(async (mark) => {
        const owner = await readOwnerFile(mark.path);
        return { ...mark, alive: owner !== undefined && isOwnerAlive(owner) };
      }),
    );
  }

  /** The parent a cached entry was filled from, as its index records it. */
  private recordedParent(snapshotId: string): string | undefined {
    try {
      return (JSON.parse(readFileSync(this.paths(snapshotId).index, 'utf8')) as CacheIndex).parent;
    } catch {
      return undefined;
    }
  }

  /** Remove the entries used longest ago, but `keep` and those in use, until the cache fits in `maxBytes`. */
  private async prune(locks: LockManager, keep: string, ctx: StepContext): Promise<void> {
    const entries = this.entries();
    let total = entries.reduce((sum, e) => sum + e.bytes, 0);
    if (total <= this.maxBytes) return;
    for (const entry of entries.sort((a, b) => a.usedMs - b.usedMs)) {
      if (total <= this.maxBytes) return;
      if (entry.snapshotId === keep) continue;
      const lock = await locks.tryAcquire(cacheLockName(entry.snapshotId));
      if (!lock) continue;
      try {
        if ((await this.inUseMarks(entry.snapshotId)).some((m) => m.alive)) continue;
        const { raw, index } = this.paths(entry.snapshotId);
        rmSync(index, { force: true });
        rmSync(raw, { force: true });
        total -= entry.bytes;
        ctx.log.info(
          `removed cached ${entry.snapshotId} (${mib(entry.bytes)} MiB, last used ${new Date(entry.usedMs).toISOString()}) to keep the cache within ${mib(this.maxBytes)} MiB`,
        );
      } finally {
        await lock.release();
      }
    }
    if (total > this.maxBytes)
      ctx.log.warn(
        `the snapshot cache holds ${mib(total)} MiB, more than its ${mib(this.maxBytes)} MiB: what is left is in use or was just used (cacheMaxGiB)`,
      );
  }

  /** Complete entries: their blocks on disk (allocated, the files are sparse) and when they were last used. */
  private entries(): Array<{ snapshotId: string; bytes: number; usedMs: number }> {
    return readdirSync(this.dir).flatMap((name) => {
      const snapshotId = INDEX_FILE.exec(name)?.[1];
      if (!snapshotId) return [];
      const { raw, index } = this.paths(snapshotId);
      try {
        const used = statSync(index);
        return [{ snapshotId, bytes: statSync(raw).blocks * 512 + used.size, usedMs: used.mtimeMs }];
      } catch {
        return [];
      }
    });
  }

  /** Partial files of runs that are not alive, their in-use marks, and cache locks whose owner is gone. */
  async findLeftovers(ctx: LeftoverContext): Promise<Leftover[]> {
    if (!existsSync(this.dir)) return [];
    assertPrivateDirectory(this.dir, 'snapshot cache');
    const leftovers: Leftover[] = [];
    for (const mark of (await this.inUseMarks()).filter((m) => !m.alive)) {
      leftovers.push({
        phase: 'files',
        kind: 'cache-file',
        id: mark.path,
        runId: mark.runId,
        reason: `in-use mark of ${mark.snapshotId} by run ${mark.runId}, which is not running`,
        reclaim: () => removeFileIfPresent(mark.path),
      });
    }
    const locks = this.locks(newRunId());
    for (const lock of (await locks.list()).filter((l) => l.stale)) {
      leftovers.push({
        phase: 'locks',
        kind: 'lock',
        id: lock.path,
        runId: lock.owner?.runId,
        reason: `snapshot cache lock whose owner${lock.owner ? ` (pid ${lock.owner.pid})` : ''} is not running`,
        reclaim: async () => {
          await locks.breakIfStale(lock.name);
        },
      });
    }
    for (const name of readdirSync(this.dir)) {
      const match = PARTIAL.exec(name);
      const runId = match?.[3] ?? '';
      if (!match || !isRunId(runId) || (await ctx.runs.isAlive(runId))) continue;
      const path = join(this.dir, name);
      leftovers.push({
        phase: 'files',
        kind: 'cache-file',
        id: path,
        runId,
        reason: `half-written cache of ${match[1]} by run ${runId}, which is not running`,
        reclaim: () => removeFileIfPresent(path),
      });
    }
    return leftovers;
  }

  private prepare(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    assertPrivateDirectory(this.dir, 'snapshot cache', { suggestions: [`use a directory only this user can write: --cache-dir, or chmod go-w ${this.dir}`] });
  }

  private paths(snapshotId: string): { raw: string; index: string } {
    return { raw: join(this.dir, `${snapshotId}.raw`), index: join(this.dir, `${snapshotId}.json`) };
  }

  /** The cached entry when it is complete and every block still matches its digest; a damaged one is removed. */
  private verified(snapshotId: string, ctx: StepContext, asParent = false): CachedSnapshot | undefined {
    const { raw, index } = this.paths(snapshotId);
    const found = (how: string): string =>
      asParent ? `using the cached parent ${snapshotId} (${how})` : `snapshot ${snapshotId} is cached (${how}): nothing to download`;
    if (!existsSync(index) || !existsSync(raw)) return undefined;
    let entry: CacheIndex;
    try {
      entry = JSON.parse(readFileSync(index, 'utf8')) as CacheIndex;
    } catch {
      entry = { snapshotId: '', sizeGiB: 0, blockBytes: 0, blocks: [] };
    }
    const digests = new Map(entry.blocks);
    const wellFormed = entry.snapshotId === snapshotId && entry.blockBytes === EBS_BLOCK_BYTES;
    if (wellFormed && entry.seal !== undefined && entry.seal === seal(raw)) {
      ctx.log.info(found(`${digests.size} blocks`));
      return { snapshotId, file: raw, sizeGiB: entry.sizeGiB, digests, downloaded: 0 };
    }
    if (wellFormed && this.intact(raw, entry.sizeGiB, digests)) {
      ctx.log.info(found(`${digests.size} blocks, each checked again`));
      writeNewFileSync(`${index}.partial-${ctx.runId}`, JSON.stringify({ ...entry, seal: seal(raw) }), 0o600);
      renameSync(`${index}.partial-${ctx.runId}`, index);
      return { snapshotId, file: raw, sizeGiB: entry.sizeGiB, digests, downloaded: 0 };
    }
    ctx.log.warn(
      `the cached copy of ${snapshotId} does not match its checksums: ${asParent ? 'removed; reading every block of the child' : 'fetching it again'}`,
    );
    rmSync(index, { force: true });
    rmSync(raw, { force: true });
    return undefined;
  }

  /** Every data block matches its digest and every other block is still a hole (zeros): nothing was written anywhere. */
  private intact(raw: string, sizeGiB: number, digests: ReadonlyMap<number, string>): boolean {
    if (statSync(raw).size !== sizeGiB * 1024 ** 3) return false;
    const file = new BlockFile(raw, 'r');
    const block = Buffer.alloc(EBS_BLOCK_BYTES);
    try {
      const blocks = (sizeGiB * 1024 ** 3) / EBS_BLOCK_BYTES;
      for (let i = 0; i < blocks; i++) {
        const digest = digests.get(i);
        file.read(i, block);
        if (digest === undefined ? !isZero(block) : blockDigest(block) !== digest) return false;
      }
      return true;
    } finally {
      file.close();
    }
  }

  private async fill(ebs: EBSClient, snapshotId: string, ctx: StepContext): Promise<CachedSnapshot> {
    const partial = this.startPartial(snapshotId, ctx);
    const { blocks, sizeGiB } = await listBlocks(ebs, snapshotId, ctx.signal);
    truncateSync(partial.raw, sizeGiB * 1024 ** 3);
    const digests = new Map<number, string>();
    ctx.progress(`downloading ${snapshotId}: ${blocks.length} blocks of 512 KiB`, 0);
    await this.download(ebs, snapshotId, blocks, partial.raw, digests, ctx);
    await this.commit(snapshotId, partial, sizeGiB, digests);
    ctx.log.info(`cached ${snapshotId}: ${blocks.length} blocks (${mib(blocks.length * EBS_BLOCK_BYTES)} MiB) downloaded`);
    return { snapshotId, file: this.paths(snapshotId).raw, sizeGiB, digests, downloaded: blocks.length };
  }

  /**
   * A child of a cached parent: the parent's data blocks copied locally (under the parent's lock, so
   * no prune removes it meanwhile), then only the blocks that differ fetched. Undefined — the caller
   * fetches every block — when the parent is not cached or EBS does not see the two as one lineage.
   */
  private async fillFromParent(
    ebs: EBSClient,
    locks: LockManager,
    snapshotId: string,
    parentId: string,
    ctx: StepContext,
  ): Promise<CachedSnapshot | undefined> {
    if (!existsSync(this.paths(parentId).index)) return undefined;
    let changes: Awaited<ReturnType<typeof listChanges>>;
    try {
      changes = await listChanges(ebs, parentId, snapshotId, ctx.signal);
    } catch (error) {
      if (!isEc2Code(error, 'ValidationException')) throw error;
      ctx.log.info(`${snapshotId} and ${parentId} are not one lineage to EBS (${(error as Error).message}): fetching every block`);
      return undefined;
    }
    const partial = this.startPartial(snapshotId, ctx);
    truncateSync(partial.raw, changes.sizeGiB * 1024 ** 3);
    const digests = new Map<number, string>();
    // Never waited for: this run holds its own entry's lock, and a bake filling the parent from this
    // one (tags that loop) would wait for it in turn. Busy: every block is fetched instead.
    const lock = await locks.tryAcquire(cacheLockName(parentId));
    if (!lock) {
      ctx.log.info(`the cached parent ${parentId} is in use by another bake's fill: fetching every block of ${snapshotId}`);
      await partial.remove();
      return undefined;
    }
    try {
      const parent = this.verified(parentId, ctx, true);
      if (!parent) {
        await partial.remove();
        return undefined;
      }
      const changed = new Set(changes.blocks.map((b) => b.index));
      for (const [i, digest] of parent.digests) if (!changed.has(i)) digests.set(i, digest);
      copyBlocks(parent.file, partial.raw, digests.keys());
      this.touch(parentId);
    } finally {
      await lock.release();
    }
    // A changed block without a token holds no data in the child: it stays a hole, as it reads.
    const fetch = changes.blocks.filter((b) => b.token !== undefined) as Array<{ index: number; token: string }>;
    ctx.progress(`downloading ${snapshotId}: the ${fetch.length} blocks that differ from the cached ${parentId}`, 0);
    await this.download(ebs, snapshotId, fetch, partial.raw, digests, ctx);
    await this.commit(snapshotId, partial, changes.sizeGiB, digests, parentId);
    ctx.log.info(
      `cached ${snapshotId}: ${fetch.length} blocks that differ from ${parentId} downloaded, the other ${digests.size - fetch.length} copied from its cache`,
    );
    return { snapshotId, file: this.paths(snapshotId).raw, sizeGiB: changes.sizeGiB, digests, downloaded: fetch.length };
  }

  /** The run's partial files for a snapshot (blocks file made empty), removed by its cleanup even when the run preserves what it made. */
  private startPartial(snapshotId: string, ctx: StepContext): { raw: string; index: string; remove(): Promise<void> } {
    const { raw, index } = this.paths(snapshotId);
    const partial = {
      raw: `${raw}.partial-${ctx.runId}`,
      index: `${index}.partial-${ctx.runId}`,
      remove: async () => {
        await removeFileIfPresent(partial.raw);
        await removeFileIfPresent(partial.index);
      },
    };
    ctx.cleanup.push({ description: `remove the partial cache of ${snapshotId}`, evenWhenPreserving: true, undo: partial.remove });
    closeSync(createExclusiveSync(partial.raw, 0o600));
    return partial;
  }

  /** Fetch blocks into the partial file, each checked against the checksum EBS sent, `concurrency` at a time. */
  private async download(
    ebs: EBSClient,
    snapshotId: string,
    blocks: ReadonlyArray<{ index: number; token: string }>,
    raw: string,
    digests: Map<number, string>,
    ctx: StepContext,
  ): Promise<void> {
    const file = new BlockFile(raw, 'r+');
    let done = 0;
    try {
      await forEachBounded(blocks, this.concurrency, ctx.signal, async ({ index: i, token }, signal) => {
        const { data, digest } = await getBlock(ebs, snapshotId, i, token, signal);
        file.write(i, data);
        digests.set(i, digest);
        done++;
        if (done % 64 === 0 || done === blocks.length)
          ctx.progress(`downloading ${snapshotId}: ${done}/${blocks.length} blocks`, Math.floor((done / blocks.length) * 100));
      });
    } finally {
      file.close();
    }
  }

  /** The blocks file renamed into place, then its index: an entry without an index is never read. */
  private async commit(
    snapshotId: string,
    partial: { raw: string; index: string },
    sizeGiB: number,
    digests: ReadonlyMap<number, string>,
    parent?: string,
  ): Promise<void> {
    const { raw, index } = this.paths(snapshotId);
    renameSync(partial.raw, raw);
    const blocks = [...digests].sort(([a], [b]) => a - b);
    const entry: CacheIndex = { snapshotId, sizeGiB, blockBytes: EBS_BLOCK_BYTES, blocks, seal: seal(raw), parent };
    await writeNewFile(partial.index, JSON.stringify(entry), 0o600);
    renameSync(partial.index, index);
  }
}

/** Copy the listed blocks from one blocks file to another; the rest stay holes. */
function copyBlocks(from: string, to: string, indexes: Iterable<number>): void {
  const source = new BlockFile(from, 'r');
  const target = new BlockFile(to, 'r+');
  const block = Buffer.alloc(EBS_BLOCK_BYTES);
  try {
    for (const i of indexes) target.write(i, source.read(i, block));
  } finally {
    source.close();
    target.close();
  }
}

/** ListChangedBlocks from `first` to `second`: each block that differs, with its token in `second` (none: no data there now). */
async function listChanges(
  ebs: EBSClient,
  first: string,
  second: string,
  signal: AbortSignal,
): Promise<{ blocks: Array<{ index: number; token?: string }>; sizeGiB: number }> {
  const blocks: Array<{ index: number; token?: string }> = [];
  let sizeGiB = 0;
  await ec2Call(`ListChangedBlocks ${first} → ${second}`, async () => {
    const input = { FirstSnapshotId: first, SecondSnapshotId: second, MaxResults: 10_000 };
    for await (const page of paginateListChangedBlocks({ client: ebs }, input, { abortSignal: signal })) {
      sizeGiB = page.VolumeSize ?? sizeGiB;
      if (page.BlockSize !== undefined && page.BlockSize !== EBS_BLOCK_BYTES) throw new Error(`${second} has blocks of ${page.BlockSize} bytes`);
      for (const b of page.ChangedBlocks ?? []) if (b.BlockIndex !== undefined) blocks.push({ index: b.BlockIndex, token: b.SecondBlockToken });
    }
  });
  return { blocks, sizeGiB };
}

async function listBlocks(
  ebs: EBSClient,
  snapshotId: string,
  signal: AbortSignal,
): Promise<{ blocks: Array<{ index: number; token: string }>; sizeGiB: number }> {
  const blocks: Array<{ index: number; token: string }> = [];
  let sizeGiB = 0;
  await ec2Call(`ListSnapshotBlocks ${snapshotId}`, async () => {
    for await (const page of paginateListSnapshotBlocks({ client: ebs }, { SnapshotId: snapshotId, MaxResults: 10_000 }, { abortSignal: signal })) {
      sizeGiB = page.VolumeSize ?? sizeGiB;
      if (page.BlockSize !== undefined && page.BlockSize !== EBS_BLOCK_BYTES) throw new Error(`${snapshotId} has blocks of ${page.BlockSize} bytes`);
      for (const b of page.Blocks ?? []) if (b.BlockIndex !== undefined && b.BlockToken) blocks.push({ index: b.BlockIndex, token: b.BlockToken });
    }
  });
  return { blocks, sizeGiB };
}

/** One block, checked against the checksum EBS sent with it; a mismatch is fetched again, then an error. */
async function getBlock(ebs: EBSClient, snapshotId: string, index: number, token: string, signal: AbortSignal): Promise<{ data: Uint8Array; digest: string }> {
  for (let attempt = 1; ; attempt++) {
    const response = await ec2Call(`GetSnapshotBlock ${snapshotId} #${index}`, () =>
      ebs.send(new GetSnapshotBlockCommand({ SnapshotId: snapshotId, BlockIndex: index, BlockToken: token }), { abortSignal: signal }),
    );
    const data = (await response.BlockData?.transformToByteArray()) ?? new Uint8Array();
    const digest = blockDigest(data);
    if (data.length === EBS_BLOCK_BYTES && response.ChecksumAlgorithm === 'SHA256' && digest === response.Checksum) return { data, digest };
    if (attempt >= CHECKSUM_ATTEMPTS) {
      throw new AminatorError(`block ${index} of ${snapshotId} does not match the checksum EBS sent with it (${attempt} tries)`, {
        code: Ec2ErrorCodes.SNAPSHOT_FAILED,
        suggestions: ['retry the bake; if it persists, the network path alters data (a proxy?)'],
      });
    }
  }
}

function mib(bytes: number): number {
  return Math.round(bytes / 1024 ** 2);
}

/**
 * Identity of a file's content as the file system tracks it: any write changes the mtime, and the
 * ctime too — which, unlike the mtime (`touch -r`), no one can set back.
 */
function seal(path: string): string {
  const info = statSync(path, { bigint: true });
  return `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

function isZero(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i += 8) {
    if (block[i] !== 0 || block[i + 1] !== 0 || block[i + 2] !== 0 || block[i + 3] !== 0) return false;
    if (block[i + 4] !== 0 || block[i + 5] !== 0 || block[i + 6] !== 0 || block[i + 7] !== 0) return false;
  }
  return true;
}

/** The one lock name per cached snapshot. */
function cacheLockName(snapshotId: string): string {
  return `ebs-cache-${snapshotId}`;
}

function lineageCycle(snapshotId: string, parent: string): AminatorError {
  return new AminatorError(
    `${snapshotId} names ${parent} as its parent_snapshot, and the cache holds ${parent} as a child of ${snapshotId}: the lineage loops`,
    {
      code: Ec2ErrorCodes.SNAPSHOT_FAILED,
      suggestions: [`check the parent_snapshot tags of ${snapshotId} and ${parent} (someone changed them); remove the wrong one`],
    },
  );
}
