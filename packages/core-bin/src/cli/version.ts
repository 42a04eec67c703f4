import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPackageDir } from './cli-paths.js';

export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(join(cliPackageDir(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
