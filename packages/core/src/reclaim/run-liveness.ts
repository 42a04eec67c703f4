import { join } from 'node:path';
import type { RunLiveness } from '../interfaces/leftover.js';
import type { LockManager } from '../interfaces/lock-manager.js';
import { isProcessAlive } from '../runtime/process-start.js';
import { isRunId } from './run-id.js';
import { isOwnerAlive, readRunOwner } from './run-owner.js';
import { registeredRun } from './run-registry.js';

/** The lock a bake holds for its whole life; `aminate cleanup` reads it to tell live runs from dead ones. */
export function runLockName(runId: string): string {
  return `run-${runId}`;
}

/**
 * Run liveness from the host's run registry (the same whatever flags the cleanup was given); for a
 * run without an entry, its run lock; without one (another lock directory, a lock lost), the owner
 * file in the run's work directory, then the pid a resource was tagged with.
 */
export class LockRunLiveness implements RunLiveness {
  constructor(
    private readonly locks: LockManager,
    private readonly workRoot?: string,
  ) {}

  async isAlive(runId: string, pid?: number): Promise<boolean> {
    if (!isRunId(runId)) return isLivePid(pid);
    const registered = await registeredRun(runId);
    if (registered) return isOwnerAlive(registered);
    const lock = await this.locks.inspect(runLockName(runId));
    if (lock) return !lock.stale;
    const owner = this.workRoot ? await readRunOwner(join(this.workRoot, runId)) : undefined;
    if (owner) return isOwnerAlive(owner);
    return isLivePid(pid);
  }
}

function isLivePid(pid: number | undefined): boolean {
  return pid !== undefined && Number.isInteger(pid) && pid > 0 && isProcessAlive({ pid });
}
