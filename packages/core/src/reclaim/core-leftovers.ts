import { readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Leftover, LeftoverContext } from '../interfaces/leftover.js';
import type { LockInfo } from '../interfaces/lock-manager.js';
import { ignoreMissing } from '../runtime/missing-ok.js';
import { isRunId } from './run-id.js';
import { removeRunOwner } from './run-owner.js';

/** What core itself leaves: locks whose owner is gone, and work directories of runs that are gone. */
export async function findCoreLeftovers(ctx: LeftoverContext): Promise<Leftover[]> {
  const locks = (await ctx.locks.list()).filter((lock) => lock.stale).map((lock) => staleLock(lock, ctx));
  return [...(await deadWorkDirs(ctx)), ...locks];
}

function staleLock(lock: LockInfo, ctx: LeftoverContext): Leftover {
  const reason = lock.owner ? `its owner (pid ${lock.owner.pid}, run ${lock.owner.runId}) is not running` : 'it names no readable owner';
  return {
    phase: 'locks',
    kind: 'lock',
    id: lock.name,
    reason,
    runId: lock.owner?.runId,
    reclaim: async () => {
      await ctx.locks.breakIfStale(lock.name);
    },
  };
}

async function deadWorkDirs(ctx: LeftoverContext): Promise<Leftover[]> {
  const entries = await readdir(ctx.workRoot, { withFileTypes: true }).catch(() => []);
  const found: Leftover[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !isRunId(entry.name)) continue;
    if (await ctx.runs.isAlive(entry.name)) continue;
    const path = join(ctx.workRoot, entry.name);
    found.push({
      phase: 'files',
      kind: 'directory',
      id: path,
      reason: `run ${entry.name} is not running`,
      runId: entry.name,
      reclaim: async () => {
        await removeRunOwner(path);
        await removeEmptyTree(path);
      },
    });
  }
  return found;
}

/**
 * Remove a directory tree of empty directories. A file or a mount point below makes it fail: work
 * directories hold only mount points, so anything else is not ours to delete.
 */
export async function removeEmptyTree(path: string): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true }).catch((e: unknown) => {
    ignoreMissing(e);
    return undefined;
  });
  if (!entries) return;
  for (const entry of entries) {
    if (entry.isDirectory()) await removeEmptyTree(join(path, entry.name));
  }
  await rmdir(path);
}
