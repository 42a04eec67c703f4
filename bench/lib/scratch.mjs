import { readFileSync, rmSync } from 'node:fs';

/** Mount points at or under `dir`, from this process's mountinfo (octal escapes decoded). */
export function mountsUnder(dir) {
  const decode = (s) => s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(Number.parseInt(o, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => decode(line.split(' ')[4]))
    .filter((target) => target === dir || target.startsWith(`${dir}/`));
}

/**
 * Remove a bench's scratch directory, unless something is still mounted in it: the plain script
 * bind-mounts the host's /dev into its chroot, and a recursive delete through a mount left by a
 * killed run removes the host's device nodes.
 */
export function removeScratch(dir) {
  const mounted = mountsUnder(dir);
  if (mounted.length > 0) {
    console.error(`not removing ${dir}: still mounted there:\n  ${mounted.join('\n  ')}\nunmount them (umount -R) and remove it by hand`);
    process.exitCode = 1;
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}
