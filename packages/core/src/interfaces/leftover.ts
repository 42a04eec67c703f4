import type { CommandRunner } from './command-runner.js';
import type { LockManager } from './lock-manager.js';
import type { Logger } from './logger.js';

/**
 * The order leftovers are reclaimed in: what holds a thing goes before the thing. Processes inside a
 * chroot hold its mounts, mounts hold devices, devices hold attachments and volume files.
 */
export type LeftoverPhase = 'processes' | 'mounts' | 'devices' | 'attachments' | 'volumes' | 'files' | 'locks';

/** Something a bake that is no longer running left behind. */
export interface Leftover {
  readonly phase: LeftoverPhase;
  /** Same vocabulary as `ResourceRef.kind`: `process`, `mount`, `loop-device`, `volume`, `lock`, … */
  readonly kind: string;
  readonly id: string;
  /** Why it is abandoned, in words: "run 3f2a… is not running (pid 4711 gone)". */
  readonly reason: string;
  /** The run that made it, when known. */
  readonly runId?: string;
  /** Remove it. Must be safe to call when it has meanwhile disappeared. */
  reclaim(): Promise<void>;
}

/** Whether the bake with a run id is still running on this host. */
export interface RunLiveness {
  /**
   * True while the run's lock is held by a live process. Without a run lock (another lock directory,
   * an older version), `pid` decides when given; with neither the run counts as gone.
   */
  isAlive(runId: string, pid?: number): Promise<boolean>;
}

/** What a plugin's `findLeftovers` works with. Finding must change nothing; only `reclaim` acts. */
export interface LeftoverContext {
  /** Bakes make `<workRoot>/<runId>/`; everything mounted there belongs to that run. */
  readonly workRoot: string;
  readonly runs: RunLiveness;
  readonly locks: LockManager;
  readonly commands: CommandRunner;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /**
   * `aminate cleanup --expired`: also report cloud resources other hosts' bakes made whose lease has
   * run out (a running bake renews it). Without it, only this host's dead runs count.
   */
  readonly expired?: boolean;
}
