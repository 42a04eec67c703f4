import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { sh } from './sh.js';

/** Mount points at or below `dir`, deepest (latest) first. */
export function mountsBelow(dir: string): string[] {
  const prefix = `${resolve(dir)}/`;
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((target) => target === resolve(dir) || target.startsWith(prefix))
    .reverse();
}

/**
 * Delete a scratch tree that may hold mounts (a chroot with /dev bound in): unmount everything below
 * it first, deepest first, and refuse to delete if anything is still mounted — a recursive delete
 * through a bind mount of /dev would delete the host's devices.
 */
export function removeTreeSafely(dir: string): void {
  for (const target of mountsBelow(dir)) {
    try {
      sh('umount', [target]);
    } catch {
      // Reported below, with everything else still mounted.
    }
  }
  const left = mountsBelow(dir);
  if (left.length > 0) throw new Error(`not deleting ${dir}: still mounted below it: ${left.join(', ')}`);
  rmSync(dir, { recursive: true, force: true });
}
