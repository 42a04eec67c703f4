import { rmSync } from 'node:fs';
import { mountsAtOrBelow } from '../../packages/linux-host/dist/bundle/index.js';

/**
 * Remove a bench's scratch directory, unless something is still mounted in it: the plain script
 * bind-mounts the host's /dev into its chroot, and a recursive delete through a mount left by a
 * killed run removes the host's device nodes.
 */
export function removeScratch(dir) {
  const mounted = mountsAtOrBelow(dir).map((m) => m.target);
  if (mounted.length > 0) {
    console.error(`not removing ${dir}: still mounted there:\n  ${mounted.join('\n  ')}\nunmount them (umount -R) and remove it by hand`);
    process.exitCode = 1;
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}
