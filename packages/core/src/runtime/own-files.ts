import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { type FileHandle, open, readFile } from 'node:fs/promises';

/**
 * The one way aminate creates a file it will trust later (locks, owner files, logs, staged packages,
 * manifests, cache entries): it must not exist yet, and a symlink planted in its place is never followed.
 */
export const EXCLUSIVE_CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export function createExclusive(path: string, mode: number): Promise<FileHandle> {
  return open(path, EXCLUSIVE_CREATE, mode);
}

export function createExclusiveSync(path: string, mode: number): number {
  return openSync(path, EXCLUSIVE_CREATE, mode);
}

/** A new file with this content (see createExclusive). */
export async function writeNewFile(path: string, content: string | Uint8Array, mode: number): Promise<void> {
  const file = await createExclusive(path, mode);
  try {
    await file.writeFile(content);
  } finally {
    await file.close();
  }
}

/** Read a file aminate made, refusing a symlink planted in its place (ELOOP). */
export function readFileNoFollow(path: string): Promise<string> {
  return readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW });
}

export function writeNewFileSync(path: string, content: string | Uint8Array, mode: number): void {
  const fd = createExclusiveSync(path, mode);
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
  } finally {
    closeSync(fd);
  }
}
