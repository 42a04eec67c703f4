import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LockError } from '../errors/lock-error.js';
import type { CleanupScope } from '../interfaces/cleanup-scope.js';
import type { LockManager } from '../interfaces/lock-manager.js';
import { runLockName } from '../reclaim/run-liveness.js';
import { RUN_OWNER_FILE, removeRunOwner, writeRunOwner } from '../reclaim/run-owner.js';
import { registerRun } from '../reclaim/run-registry.js';
import { assertPrivateDirectory } from '../runtime/private-directory.js';

/** What a run's frame needs of its context: its id and where its undos go. */
export interface RunFrameContext {
  readonly runId: string;
  readonly cleanup: CleanupScope;
}

/**
 * The run lock, held for as long as the run holds anything: `aminate cleanup` treats what a run left
 * as abandoned only once this lock's owner is gone. Released last, also with --preserve-on-error, so
 * that cleanup can reclaim what was kept once the debugging is done. Every run takes it — a bake,
 * `aminate verify`/`boot`, and a plugin command that mounts or attaches (`aminate foundation`).
 */
export async function holdRunLock(locks: LockManager, ctx: RunFrameContext): Promise<void> {
  const lock = await locks.tryAcquire(runLockName(ctx.runId));
  if (!lock) throw new LockError(`run id ${ctx.runId} is already in use on this host`, ['run it again (run ids are random)']);
  // The lock lives where --lock-dir says; the registration where every cleanup looks, whatever its
  // flags. One undo: both say the same thing, that the run is alive.
  let unregister: (() => Promise<void>) | undefined;
  ctx.cleanup.push({
    description: `release run lock ${lock.name}`,
    resource: { kind: 'lock', id: lock.name },
    evenWhenPreserving: true,
    undo: async () => {
      await unregister?.();
      await lock.release();
    },
  });
  unregister = await registerRun(ctx.runId);
}

/**
 * The run's work directory `<workRoot>/<runId>`, with its owner file; removed (never recursively:
 * mounts may be below it) on unwind. The work root must be private: every run's mounts go below it.
 */
export async function makeRunWorkDir(workRoot: string, ctx: RunFrameContext): Promise<string> {
  await mkdir(workRoot, { recursive: true, mode: 0o700 });
  assertPrivateDirectory(workRoot, 'work root', {
    suggestions: ['use a directory only this user can write (mode 0700): --work-root or workRoot in config'],
  });
  const workDir = join(workRoot, ctx.runId);
  await mkdir(workDir, { mode: 0o700 });
  ctx.cleanup.push({
    description: `remove work directory ${workDir}`,
    resource: { kind: 'directory', id: workDir },
    manual: [
      ['rm', '-f', join(workDir, RUN_OWNER_FILE)],
      ['rmdir', workDir],
    ],
    undo: async () => {
      await removeRunOwner(workDir);
      await rmdir(workDir);
    },
  });
  await writeRunOwner(workDir, ctx.runId);
  return workDir;
}
