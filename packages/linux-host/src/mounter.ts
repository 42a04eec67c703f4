import { AminatorError, CommandFailedError, type CommandRunner, retryUntil } from '@aminator/core';
import { LinuxErrorCodes } from './errors.js';
import { findHolders } from './holders.js';
import { isMountPoint, mountsAtOrBelow, readMounts } from './mount-table.js';

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

  /**
   * One umount(8) for several mount points (it goes on past one that fails): a shortcut for undos
   * that then unmount each with unmountTree, never a replacement for them — what it leaves mounted
   * is theirs to retry and explain, so its failure is not one.
   */
  async unmountAtOnce(targets: readonly string[]): Promise<void> {
    const table = new Set(readMounts().map((m) => m.target));
    const mounted = targets.filter((t) => table.has(t));
    if (mounted.length === 0) return;
    await this.commands.run('umount', ['--', ...mounted], { timeoutMs: 60_000 }).catch(() => undefined);
  }

  private async unmountOne(target: string, options: UnmountOptions): Promise<void> {
    const unmount = async (): Promise<void> => {
      try {
        await this.commands.run('umount', [target], { timeoutMs: 60_000 });
      } catch (error) {
        // Someone else unmounted it meanwhile: done.
        if (isMountPoint(target)) throw error;
      }
    };
    await retryUntil(unmount, { retryable: isBusy, withinMs: options.retryMs, firstDelayMs: 100, maxDelayMs: 1000 }).catch((error: unknown) => {
      throw busyError(target, error);
    });
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
