import { LockError } from '../errors/lock-error.js';
import type { LockHandle, LockManager } from '../interfaces/lock-manager.js';
import { sleep } from '../pipeline/sleep.js';

export interface WaitForLockOptions {
  readonly signal?: AbortSignal;
  readonly intervalMs?: number;
  /** Give up after this long (default: wait until the signal aborts). */
  readonly timeoutMs?: number;
  /** Called once, when the lock is found held (to say what the wait is for). */
  readonly onWait?: () => void;
  readonly suggestions?: readonly string[];
}

/** Take a lock another live process may hold for a while: try again every `intervalMs` until it is free. */
export async function waitForLock(locks: LockManager, name: string, options: WaitForLockOptions = {}): Promise<LockHandle> {
  const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  let told = false;
  for (;;) {
    const lock = await locks.tryAcquire(name);
    if (lock) return lock;
    if (Date.now() >= deadline) throw new LockError(`the lock ${name} stayed held for ${options.timeoutMs} ms`, options.suggestions ?? []);
    if (!told) options.onWait?.();
    told = true;
    await sleep(options.intervalMs ?? 250, options.signal);
  }
}
