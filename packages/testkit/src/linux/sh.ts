import { spawnSync } from 'node:child_process';

/** Run a command for a test fixture (argument array, no shell); throw with its stderr when it fails. */
export function sh(file: string, args: readonly string[], options: { input?: string; cwd?: string } = {}): string {
  const result = spawnSync(file, [...args], { input: options.input, cwd: options.cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}
