import type { CommandRunner, Logger } from '@aminator/core';
import { HostTools } from './host-tools.js';

/**
 * Hand a mounted file system's free blocks back to the device under it (`fstrim`). On a loop device
 * the kernel punches them out of the image file, so what a build wrote and deleted (the packages
 * debootstrap downloaded, initramfs rebuilds) is not copied, written out and attached again by every
 * bake that starts from the image: 230 → 198 MB for a minimal Debian 12 foundation. Only an
 * optimisation: where the device cannot discard, or fstrim fails, it says so in the log and returns false.
 */
export async function trimFileSystem(commands: CommandRunner, mountPoint: string, log: Logger, signal?: AbortSignal): Promise<boolean> {
  try {
    // Blocks freed in the journal's running transaction are not free to FITRIM yet: commit it first.
    await commands.run(HostTools.sync.command, ['--file-system', '--', mountPoint], { signal, timeoutMs: 600_000 });
    await commands.run(HostTools.fstrim.command, ['--', mountPoint], { signal, timeoutMs: 600_000 });
    return true;
  } catch (error) {
    if (signal?.aborted) throw error;
    log.info(`free blocks of ${mountPoint} not trimmed (the image file keeps them): ${(error as Error).message}`);
    return false;
  }
}
