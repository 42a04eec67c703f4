import { rmdir, unlink } from 'node:fs/promises';

/** For `.catch`: a file or directory that is already gone is what the caller wanted; anything else is thrown. */
export function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException)?.code !== 'ENOENT') throw error;
}

/** Remove a file (never a directory, never through a symlink's target); gone already is fine. */
export async function removeFileIfPresent(path: string): Promise<void> {
  await unlink(path).catch(ignoreMissing);
}

/** Remove an empty directory; gone already is fine, not empty is an error. */
export async function removeDirIfPresent(path: string): Promise<void> {
  await rmdir(path).catch(ignoreMissing);
}
