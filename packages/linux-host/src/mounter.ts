import { AminatorError, CommandFailedError, type CommandRunner, sleep } from '@aminator/core';
import { LinuxErrorCodes } from './errors.js';
import { findHolders } from './holders.js';
import { isMountPoint, mountsAtOrBelow } from './mount-table.js';

const UMOUNT_BUSY = 32;

export interface UnmountOptions {
  /** How long to keep retrying a busy mount before failing with the holders named. */
  readonly retryMs: number;
}

/** mount(8) and umount(8) through the CommandRunner, with bounded retries for busy mounts. */
export class Mounter {
  constructor(private readonly commands: CommandRunner) {}

  /**
   * An abort stops a mount from starting but never interrupts one: mount(8) killed after the mount
   * call would leave a mount whose undo was never registered.
   */
  async mount(args: readonly string[], signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    await this.commands.run('mount', args, { timeoutMs: 60_000 });
  }

  /**
   * Unmount `target` and anything still mounted below it, deepest first. A busy mount is retried
   * until `retryMs` has passed, then fails naming the processes that hold it. Never lazy: a lazy
   * unmount would hide the holder and leave the device in use.
   */
  async unmountTree(target: string, options: UnmountOptions): Promise<void> {
    for (const entry of mountsAtOrBelow(target)) await this.unmountOne(entry.target, options);
  }

  private async unmountOne(target: string, options: UnmountOptions): Promise<void> {
    const deadline = Date.now() + options.retryMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
      try {
        await this.commands.run('umount', [target], { timeoutMs: 60_000 });
        return;
      } catch (error) {
        if (!isMountPoint(target)) return;
        if (!isBusy(error) || Date.now() >= deadline) throw busyError(target, error);
        await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
      }
    }
  }
}

function isBusy(error: unknown): boolean {
  return error instanceof CommandFailedError && (error.failure.exitCode === UMOUNT_BUSY || /busy/i.test(error.failure.stderrTail));
}

function busyError(target: string, cause: unknown): AminatorError {
  const holders = findHolders(target);
  const named = holders.map((h) => `pid ${h.pid} (${h.command})`).join(', ');
  return new AminatorError(`cannot unmount ${target}: ${holders.length > 0 ? `busy, held by ${named}` : 'busy'}`, {
    code: LinuxErrorCodes.MOUNT_BUSY,
    cause,
    suggestions: [
      ...(holders.length > 0
        ? [`stop ${holders.map((h) => h.pid).join(' ')} (e.g. kill ${holders.map((h) => h.pid).join(' ')}), then run \`aminate cleanup\``]
        : []),
      `see what holds it: fuser -vm ${target}`,
    ],
  });
}
