import { lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LockError } from '../errors/lock-error.js';
import type { LockHandle, LockInfo, LockManager, LockOwner } from '../interfaces/lock-manager.js';
import { removeFileIfPresent } from './missing-ok.js';
import { createExclusive, readFileNoFollow } from './own-files.js';
import { assertPrivateDirectory } from './private-directory.js';
import { isProcessAlive, thisProcess } from './process-start.js';

const LOCK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Lock files are `<name>.lock` in the lock directory. */
export const LOCK_FILE_SUFFIX = '.lock';
const SUFFIX = LOCK_FILE_SUFFIX;

/** What a lock file holds: its owner as one JSON line (the one place that writes the format). */
export function lockFileText(owner: LockOwner): string {
  return `${JSON.stringify(owner)}\n`;
}
/** A lock file with no readable owner younger than this may be mid-write by its creator. */
const UNREADABLE_GRACE_MS = 5000;

/**
 * Named locks as files in one directory: created exclusively (O_EXCL, never following symlinks),
 * holding the owner's pid and process start time. A lock whose owner is gone is stale and reclaimed
 * under a short-lived breaker lock, so two reclaimers cannot both win.
 */
export class FileLockManager implements LockManager {
  constructor(
    private readonly dir: string,
    private readonly runId: string,
  ) {}

  async tryAcquire(name: string): Promise<LockHandle | undefined> {
    const path = this.pathOf(name);
    await this.ensureDir();
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.create(path)) return this.handle(name, path);
      const info = await this.inspectAt(name, path);
      if (!info.stale) return undefined;
      await this.breakStale(path, info);
    }
    return undefined;
  }

  async list(): Promise<readonly LockInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const locks = names.filter((n) => n.endsWith(SUFFIX)).map((n) => n.slice(0, -SUFFIX.length));
    return Promise.all(locks.filter((n) => LOCK_NAME.test(n)).map((n) => this.inspectAt(n, this.pathOf(n))));
  }

  async inspect(name: string): Promise<LockInfo | undefined> {
    const path = this.pathOf(name);
    if (!(await exists(path))) return undefined;
    return this.inspectAt(name, path);
  }

  async breakIfStale(name: string): Promise<boolean> {
    const info = await this.inspect(name);
    if (!info?.stale) return false;
    await this.breakStale(info.path, info);
    return !(await exists(info.path));
  }

  private pathOf(name: string): string {
    if (!LOCK_NAME.test(name)) throw new LockError(`invalid lock name "${name}"`);
    return join(this.dir, `${name}${SUFFIX}`);
  }

  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    assertPrivateDirectory(this.dir, 'lock directory', { suggestions: [`remove or fix ${this.dir} (it must not be a symlink, nor group- or world-writable)`] });
  }

  private async create(path: string): Promise<boolean> {
    const { pid, startTicks, pidNamespace } = thisProcess();
    const owner: LockOwner = { pid, host: hostname(), runId: this.runId, startTicks, pidNamespace, acquiredAt: new Date().toISOString() };
    try {
      const file = await createExclusive(path, 0o644);
      try {
        await file.writeFile(lockFileText(owner));
      } finally {
        await file.close();
      }
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' || (error as NodeJS.ErrnoException).code === 'ELOOP') return false;
      throw new LockError(`cannot create lock ${path}`, [], error);
    }
  }

  private async inspectAt(name: string, path: string): Promise<LockInfo> {
    const owner = await readOwner(path);
    if (owner) return { name, path, owner, stale: !isProcessAlive(owner) };
    const age = await ageMs(path);
    return { name, path, stale: age === undefined || age > UNREADABLE_GRACE_MS };
  }

  private async breakStale(path: string, seen: LockInfo): Promise<void> {
    const breaker = `${path}.break`;
    if (!(await this.create(breaker))) {
      const breakerOwner = await readOwner(breaker);
      if (!breakerOwner || !isProcessAlive(breakerOwner)) await removeFileIfPresent(breaker);
      return;
    }
    try {
      const now = await readOwner(path);
      const unchanged = JSON.stringify(now) === JSON.stringify(seen.owner);
      if (unchanged) await removeFileIfPresent(path);
    } finally {
      await removeFileIfPresent(breaker);
    }
  }

  private handle(name: string, path: string): LockHandle {
    const runId = this.runId;
    return {
      name,
      path,
      async release(): Promise<void> {
        const owner = await readOwner(path);
        // Only ever remove our own lock: after a crash and reclaim it may belong to someone else.
        if (owner && owner.pid === process.pid && owner.runId === runId) await removeFileIfPresent(path);
      },
    };
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const data = JSON.parse(await readFileNoFollow(path)) as Partial<LockOwner>;
    if (typeof data.pid !== 'number' || typeof data.runId !== 'string') return undefined;
    return data as LockOwner;
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function ageMs(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}
