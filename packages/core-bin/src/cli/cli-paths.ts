import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The core-bin package directory (this file is dist/src/cli/cli-paths.js inside it). */
export function cliPackageDir(): string {
  return realpathSync(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'));
}
