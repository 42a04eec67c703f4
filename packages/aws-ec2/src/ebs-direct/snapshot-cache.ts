import { closeSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import {
  AminatorError,
  assertPrivateDirectory,
  createExclusiveSync,
  isRunId,
  type Leftover,
  type LeftoverContext,
  type LockManager,
  removeFileIfPresent,
  type StepContext,
  waitForLock,
  writeNewFile,
  writeNewFileSync,
} from '@aminator/core';
import { type EBSClient, GetSnapshotBlockCommand, ListSnapshotBlocksCommand } from '@aws-sdk/client-ebs';
import { Ec2ErrorCodes, ec2Call } from '../ec2-errors.js';
import { forEachBounded } from './bounded.js';
import { BlockFile, blockDigest, EBS_BLOCK_BYTES } from './ebs-blocks.js';

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
  /** The blocks file as it was when every block last matched its digest (inode, size, mtime in ns). */
  readonly seal?: string;
}

const SNAPSHOT_ID = /^snap-[0-9a-f]{8,17}$/;
const INDEX_FILE = /^(snap-[0-9a-f]{8,17})\.json$/;
const PARTIAL = /^(snap-[0-9a-f]{8,17})\.(raw|json)\.partial-([0-9a-f]+)$/;
const CHECKSUM_ATTEMPTS = 3;

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
 * used, never one another bake holds (its lock), and the index first, so a removal cut short leaves an
 * entry that is never read rather than one that is read half.
 */
export class SnapshotCache {
  constructor(
    readonly dir: string,
    private readonly locks: LockManager,
    private readonly concurrency: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** The snapshot's blocks, from the cache or fetched into it now. */
  async ensure(ebs: EBSClient, snapshotId: string, ctx: StepContext): Promise<CachedSnapshot> {
    if (!SNAPSHOT_ID.test(snapshotId)) throw new Error(`not a snapshot id: ${snapshotId}`);
    this.prepare();
    const lockName = `ebs-cache-${snapshotId}`;
    const lock = await waitForLock(this.locks, lockName, {
      signal: ctx.signal,
      intervalMs: 500,
      onWait: () => ctx.progress(`waiting for another bake to finish caching ${snapshotId}`),
    });
    try {
      const cached = this.verified(snapshotId, ctx) ?? (await this.fill(ebs, snapshotId, ctx));
      const now = new Date();
      utimesSync(this.paths(snapshotId).index, now, now);
      if (cached.downloaded > 0) await this.prune(snapshotId, ctx);
      return cached;
    } finally {
      await lock.release();
    }
  }

  /** Remove the entries used longest ago, but `keep` and those in use, until the cache fits in `maxBytes`. */
  private async prune(keep: string, ctx: StepContext): Promise<void> {
    const entries = this.entries();
    let total = entries.reduce((sum, e) => sum + e.bytes, 0);
    if (total <= this.maxBytes) return;
    for (const entry of entries.sort((a, b) => a.usedMs - b.usedMs)) {
      if (total <= this.maxBytes) return;
      if (entry.snapshotId === keep) continue;
      const lock = await this.locks.tryAcquire(`ebs-cache-${entry.snapshotId}`);
      if (!lock) continue;
      try {
        const { raw, index } = this.paths(entry.snapshotId);
        rmSync(index, { force: true });
        rmSync(raw, { force: true });
      } finally {
        await lock.release();
      }
      total -= entry.bytes;
      ctx.log.info(
        `removed cached ${entry.snapshotId} (${mib(entry.bytes)} MiB, last used ${new Date(entry.usedMs).toISOString()}) to keep the cache within ${mib(this.maxBytes)} MiB`,
      );
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

  /** Partial files of runs that are not alive. */
  async findLeftovers(ctx: LeftoverContext): Promise<Leftover[]> {
    if (!existsSync(this.dir)) return [];
    assertPrivateDirectory(this.dir, 'snapshot cache');
    const leftovers: Leftover[] = [];
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
  private verified(snapshotId: string, ctx: StepContext): CachedSnapshot | undefined {
    const { raw, index } = this.paths(snapshotId);
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
      ctx.log.info(`snapshot ${snapshotId} is cached (${digests.size} blocks): nothing to download`);
      return { snapshotId, file: raw, sizeGiB: entry.sizeGiB, digests, downloaded: 0 };
    }
    if (wellFormed && this.intact(raw, digests)) {
      ctx.log.info(`snapshot ${snapshotId} is cached (${digests.size} blocks, each checked again): nothing to download`);
      writeNewFileSync(`${index}.partial-${ctx.runId}`, JSON.stringify({ ...entry, seal: seal(raw) }), 0o600);
      renameSync(`${index}.partial-${ctx.runId}`, index);
      return { snapshotId, file: raw, sizeGiB: entry.sizeGiB, digests, downloaded: 0 };
    }
    ctx.log.warn(`the cached copy of ${snapshotId} does not match its checksums: fetching it again`);
    rmSync(index, { force: true });
    rmSync(raw, { force: true });
    return undefined;
  }

  private intact(raw: string, digests: ReadonlyMap<number, string>): boolean {
    const file = new BlockFile(raw, 'r');
    const block = Buffer.alloc(EBS_BLOCK_BYTES);
    try {
      for (const [i, digest] of digests) if (blockDigest(file.read(i, block)) !== digest) return false;
      return true;
    } finally {
      file.close();
    }
  }

  private async fill(ebs: EBSClient, snapshotId: string, ctx: StepContext): Promise<CachedSnapshot> {
    const { raw, index } = this.paths(snapshotId);
    const partialRaw = `${raw}.partial-${ctx.runId}`;
    const partialIndex = `${index}.partial-${ctx.runId}`;
    ctx.cleanup.push({
      description: `remove the partial cache of ${snapshotId}`,
      evenWhenPreserving: true,
      undo: async () => {
        await removeFileIfPresent(partialRaw);
        await removeFileIfPresent(partialIndex);
      },
    });
    const { blocks, sizeGiB } = await listBlocks(ebs, snapshotId, ctx.signal);
    closeSync(createExclusiveSync(partialRaw, 0o600));
    truncateSync(partialRaw, sizeGiB * 1024 ** 3);
    const file = new BlockFile(partialRaw, 'r+');
    const digests = new Map<number, string>();
    let done = 0;
    ctx.progress(`downloading ${snapshotId}: ${blocks.length} blocks of 512 KiB`, 0);
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
    renameSync(partialRaw, raw);
    const entry: CacheIndex = { snapshotId, sizeGiB, blockBytes: EBS_BLOCK_BYTES, blocks: [...digests].sort(([a], [b]) => a - b), seal: seal(raw) };
    await writeNewFile(partialIndex, JSON.stringify(entry), 0o600);
    renameSync(partialIndex, index);
    ctx.log.info(`cached ${snapshotId}: ${blocks.length} blocks (${Math.round((blocks.length * EBS_BLOCK_BYTES) / 1024 ** 2)} MiB) downloaded`);
    return { snapshotId, file: raw, sizeGiB, digests, downloaded: blocks.length };
  }
}

async function listBlocks(
  ebs: EBSClient,
  snapshotId: string,
  signal: AbortSignal,
): Promise<{ blocks: Array<{ index: number; token: string }>; sizeGiB: number }> {
  const blocks: Array<{ index: number; token: string }> = [];
  let NextToken: string | undefined;
  let sizeGiB = 0;
  do {
    const page = await ec2Call(`ListSnapshotBlocks ${snapshotId}`, () =>
      ebs.send(new ListSnapshotBlocksCommand({ SnapshotId: snapshotId, NextToken, MaxResults: 10_000 }), { abortSignal: signal }),
    );
    sizeGiB = page.VolumeSize ?? sizeGiB;
    if (page.BlockSize !== undefined && page.BlockSize !== EBS_BLOCK_BYTES) throw new Error(`${snapshotId} has blocks of ${page.BlockSize} bytes`);
    for (const b of page.Blocks ?? []) if (b.BlockIndex !== undefined && b.BlockToken) blocks.push({ index: b.BlockIndex, token: b.BlockToken });
    NextToken = page.NextToken;
  } while (NextToken);
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

/** Identity of a file's content as the file system tracks it: any write changes the mtime. */
function seal(path: string): string {
  const info = statSync(path, { bigint: true });
  return `${info.ino}:${info.size}:${info.mtimeNs}`;
}
