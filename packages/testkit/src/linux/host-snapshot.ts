import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { sh } from './sh.js';

/** What a test could leak on the host: loop devices, mounts, lock files. */
export interface HostSnapshot {
  readonly loops: readonly string[];
  readonly mounts: readonly string[];
  readonly locks: readonly string[];
}

export function snapshotHost(lockDirs: readonly string[] = ['/run/lock/aminator']): HostSnapshot {
  const loops = sh('losetup', ['--list', '--noheadings', '--output', 'NAME,BACK-FILE'])
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .sort();
  const locks = lockDirs
    .flatMap((dir) => {
      try {
        return readdirSync(dir).map((f) => `${dir}/${f}`);
      } catch {
        return [];
      }
    })
    .sort();
  return { loops, mounts, locks };
}

export interface LeakScope {
  /**
   * Count only loop devices backed by files below these directories, and mounts and locks below them:
   * what this test made, so tests running side by side (node --test runs files concurrently) do not
   * see each other's work as leaks.
   */
  readonly within?: readonly string[];
}

/** Fail when the host holds anything now that it did not hold at `before` (within the scope, if given). */
export function assertNoLeaks(before: HostSnapshot, afterOrScope: HostSnapshot | LeakScope = {}): void {
  const after = 'loops' in afterOrScope ? afterOrScope : snapshotHost();
  const within = 'loops' in afterOrScope ? undefined : afterOrScope.within;
  const mine = (entry: string): boolean => within === undefined || within.some((dir) => entry.includes(` ${dir}/`) || entry.startsWith(`${dir}/`));
  const added = (a: readonly string[], b: readonly string[]): string[] => b.filter((x) => !a.includes(x) && mine(x));
  assert.deepEqual(
    { loops: added(before.loops, after.loops), mounts: added(before.mounts, after.mounts), locks: added(before.locks, after.locks) },
    { loops: [], mounts: [], locks: [] },
    'the test left loop devices, mounts or locks behind',
  );
}
