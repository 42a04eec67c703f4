import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The directories aminate looks in for the project's config and node_modules: from `cwd` up to the
 * project's root (the nearest directory with a package.json or .git), never above it. Without a
 * project root, `cwd` alone — an upward search to `/` would read whatever another user left in a
 * parent such as /tmp.
 */
export function projectDirs(cwd: string): string[] {
  const dirs: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    dirs.push(dir);
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, '.git'))) return dirs;
    if (dirname(dir) === dir) return [resolve(cwd)];
  }
}
