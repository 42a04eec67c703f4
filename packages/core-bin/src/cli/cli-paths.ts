import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The core-bin package directory, from the per-file build and from the bundle alike (a self-reference). */
export function cliPackageDir(): string {
  return realpathSync(dirname(fileURLToPath(import.meta.resolve('@aminator/core-bin/package.json'))));
}
