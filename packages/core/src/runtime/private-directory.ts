import { lstatSync } from 'node:fs';
import { AminatorError } from '../errors/aminator-error.js';
import { ErrorCodes } from '../errors/error-codes.js';
import { EXIT_USAGE } from '../errors/exit-codes.js';

export interface PrivateDirectoryOptions {
  /** Default E_UNSAFE_PATH. */
  readonly code?: string;
  readonly suggestions?: readonly string[];
}

/**
 * Why `dir` is no place for files that mounts, locks or images depend on — a symlink or not a
 * directory, another user's, writable by group or others — or undefined when it is private enough.
 * A missing directory throws ENOENT.
 */
export function privateDirectoryProblem(dir: string): string | undefined {
  const info = lstatSync(dir);
  if (!info.isDirectory()) return 'is not a directory (a symlink?)';
  if (process.getuid !== undefined && info.uid !== process.getuid()) return 'is owned by another user';
  if ((info.mode & 0o022) !== 0) return 'is writable by other users (group or world)';
  return undefined;
}

/** The one rule for directories aminate makes files in: throws (exit 2) naming `what` and the problem. */
export function assertPrivateDirectory(dir: string, what: string, options: PrivateDirectoryOptions = {}): void {
  const problem = privateDirectoryProblem(dir);
  if (problem === undefined) return;
  throw new AminatorError(`${what} ${dir} ${problem}`, {
    code: options.code ?? ErrorCodes.UNSAFE_PATH,
    exitCode: EXIT_USAGE,
    suggestions: options.suggestions ?? [`use a directory only this user can write (not a symlink; chmod go-w ${dir})`],
  });
}
