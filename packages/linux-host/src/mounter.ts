import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AminatorError, CommandFailedError, type CommandRunner, retryUntil, writeNewFile } from '@aminator/core';
import { LinuxErrorCodes } from './errors.js';
import { type FstabEntry, fstabText } from './fstab.js';
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
   * Several mounts with one mount(8) — `--all` over an fstab of just these, mounted in order — where
   * a process each would cost ~10 ms of this process's time apiece. The fstab is written into
   * `scratchDir` (the caller's own directory, which cleanup reclaims) and removed again. `mounted` is
   * called for every target mounted afterwards, in order, before any failure is thrown: each still
   * gets its own undo, whatever the others did. A target already a mount point is refused before
   * anything is mounted (mount(8) would skip it, and its undo would unmount what is not ours). Like
   * `mount`, an abort stops it from starting but never interrupts it.
   */
  async mountAll(entries: readonly FstabEntry[], scratchDir: string, mounted: (target: string) => void, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    const before = new Set(readMounts().map((m) => m.target));
    const taken = entries.find((e) => before.has(e.target));
    if (taken) {
      throw new AminatorError(`${taken.target} is already a mount point; nothing was mounted`, {
        code: LinuxErrorCodes.MOUNT_TAKEN,
        suggestions: [`see what is mounted there: findmnt ${taken.target}`, 'run `aminate cleanup` if an earlier bake left it'],
      });
    }
    const [only] = entries;
    const file = entries.length === 1 ? undefined : join(scratchDir, `.mounts-${randomBytes(6).toString('hex')}.fstab`);
    try {
      if (file) await writeNewFile(file, fstabText(entries), 0o600);
      const args = file ? ['--all', '--fstab', file] : only ? mountArgs(only) : [];
      if (args.length > 0) await this.commands.run('mount', args, { timeoutMs: 60_000 });
    } finally {
      const after = new Set(readMounts().map((m) => m.target));
      for (const entry of entries) if (after.has(entry.target)) mounted(entry.target);
      if (file) await rm(file, { force: true });
    }
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

/** mount(8)'s arguments for one entry, as its fstab line would give them. */
function mountArgs(entry: FstabEntry): string[] {
  const options = entry.options.filter((o) => o !== 'bind');
  const bind = options.length < entry.options.length;
  return [...(bind ? ['--bind'] : ['-t', entry.type]), ...(options.length > 0 ? ['-o', options.join(',')] : []), entry.source, entry.target];
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
