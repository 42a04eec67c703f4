import { randomBytes } from 'node:crypto';
import { chmod, link, lstat, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidInputError } from '../errors/usage-error.js';
import { PathTrust } from '../trust/trusted-path.js';
import { createExclusive } from './own-files.js';

export interface OutputFileOptions {
  /** Replace a file already there (never a directory; a symlink is replaced, not followed). */
  readonly force?: boolean;
  /** The flag that named the file, for errors (`--output`). */
  readonly field?: string;
  readonly trust?: PathTrust;
}

/**
 * Write a file the user named (an export, a report) as root without being turned against the host:
 * the directory must pass the trust rule (nobody else can swap entries in it), nothing already at
 * the path is touched without `force` — a dangling symlink included, which a plain open would follow
 * — and `write` fills a temporary file created exclusively beside the target, mode 0600, that is
 * moved into place only once complete. On any failure the temporary file is removed.
 */
export async function writeOutputFile(target: string, write: (temporary: string) => Promise<void>, options: OutputFileOptions = {}): Promise<void> {
  const field = options.field ?? 'output';
  const dir = dirname(target);
  (options.trust ?? new PathTrust()).assert(dir, `${field} directory`, true);
  const existing = await lstat(target).catch(() => undefined);
  if (existing && (!options.force || existing.isDirectory())) {
    const what = existing.isSymbolicLink() ? 'is a symbolic link' : existing.isDirectory() ? 'is a directory' : 'exists';
    throw new InvalidInputError(field, `${target} ${what}; nothing was written`, [
      existing.isDirectory() ? 'name a file, not a directory' : 'remove it, pick another name, or pass --force to replace it',
    ]);
  }
  const temporary = join(dir, `.${basename(target)}.aminator-${randomBytes(4).toString('hex')}.tmp`);
  await (await createExclusive(temporary, 0o600)).close();
  try {
    await write(temporary);
    // A tool that re-created the file (qemu-img) made it with the umask's mode.
    await chmod(temporary, 0o600);
    if (options.force) await rename(temporary, target);
    else {
      // link() fails if something appeared at the target meanwhile: never replaced unasked.
      await link(temporary, target);
      await unlink(temporary);
    }
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
