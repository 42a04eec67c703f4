import type { LockManager } from '../interfaces/lock-manager.js';
import type { RunLiveness } from '../interfaces/leftover.js';
import { join } from 'node:path';
import { isProcessAlive } from '../runtime/process-start.js';
import { readRunOwner } from './run-owner.js';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The lock a bake holds for its whole life; `aminate cleanup` reads it to tell live runs from dead ones. */
export function runLockName(runId: string): string {
  return `run-${runId}`;
}

/**
 * Run liveness from run locks; without one (another lock directory, a lock lost), the owner file in
 * the run's work directory, then the pid a resource was tagged with.
 */
export class LockRunLiveness implements RunLiveness {
  constructor(
    private readonly locks: LockManager,
    private readonly workRoot?: string,
  ) {}

  async isAlive(runId: string, pid?: number): Promise<boolean> {
    if (!RUN_ID.test(runId)) return isLivePid(pid);
    const lock = await this.locks.inspect(runLockName(runId));
    if (lock) return !lock.stale;
    const owner = this.workRoot ? await readRunOwner(join(this.workRoot, runId)) : undefined;
    if (owner) return isProcessAlive(owner.pid, owner.startTicks);
    return isLivePid(pid);
  }
}

function isLivePid(pid: number | undefined): boolean {
  return pid !== undefined && Number.isInteger(pid) && pid > 0 && isProcessAlive(pid);
}
