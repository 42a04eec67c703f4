import type { LockManager } from '../interfaces/lock-manager.js';
import type { RunLiveness } from '../interfaces/leftover.js';
import { isProcessAlive } from '../runtime/process-start.js';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The lock a bake holds for its whole life; `aminate cleanup` reads it to tell live runs from dead ones. */
export function runLockName(runId: string): string {
  return `run-${runId}`;
}

/** Run liveness from run locks, with the pid a resource was tagged with as the fallback. */
export class LockRunLiveness implements RunLiveness {
  constructor(private readonly locks: LockManager) {}

  async isAlive(runId: string, pid?: number): Promise<boolean> {
    const lock = RUN_ID.test(runId) ? await this.locks.inspect(runLockName(runId)) : undefined;
    if (lock) return !lock.stale;
    return pid !== undefined && Number.isInteger(pid) && pid > 0 && isProcessAlive(pid);
  }
}
