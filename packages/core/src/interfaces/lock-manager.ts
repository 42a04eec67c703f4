/** Who holds a lock, as written in the lock file. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly runId: string;
  /** The owner's process start time (clock ticks since boot), so a reused pid is not mistaken for it. */
  readonly startTicks: number;
  /**
   * The inode of the owner's pid namespace: a lock directory shared by containers on one node is
   * judged by the pid the owner's own namespace gave it. Absent in locks of older versions.
   */
  readonly pidNamespace?: number;
  readonly acquiredAt: string;
}

export interface LockInfo {
  readonly name: string;
  readonly path: string;
  readonly owner?: LockOwner;
  /** The owner process is gone (or the file is unreadable garbage). */
  readonly stale: boolean;
}

export interface LockHandle {
  readonly name: string;
  readonly path: string;
  release(): Promise<void>;
}

/** Host-wide named locks: exclusive-create files with the owner's pid; stale ones are reclaimed. */
export interface LockManager {
  /** Take the lock, or return undefined when a live process holds it. */
  tryAcquire(name: string): Promise<LockHandle | undefined>;
  list(): Promise<readonly LockInfo[]>;
  /** One lock's state, or undefined when nobody holds it. */
  inspect(name: string): Promise<LockInfo | undefined>;
  /** Remove the lock if its owner is gone (and it did not change meanwhile); true when removed. */
  breakIfStale(name: string): Promise<boolean>;
}
