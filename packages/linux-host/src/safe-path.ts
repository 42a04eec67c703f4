import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { UnsafePathError } from './errors.js';

/**
 * The host path of `inside` (absolute, as seen from the chroot) under `root`, refusing any component
 * that is a symlink or `..`: an image could point `/proc` or `/tmp` at a host directory, and mounting
 * or writing through it would change the host. Components after the first missing one must not exist
 * either way, so they cannot be links.
 */
export function pathInside(root: string, inside: string, options: { leafMayBeLink?: boolean } = {}): string {
  const parts = normalize(`/${inside}`).split('/').filter(Boolean);
  if (inside.split('/').includes('..')) throw new UnsafePathError(inside, 'the path has ".." in it');
  let current = realpathSync(root);
  for (const [index, part] of parts.entries()) {
    current = join(current, part);
    const info = lstatOrUndefined(current);
    if (info === undefined) return join(current, ...parts.slice(index + 1));
    const leaf = index === parts.length - 1;
    if (info.isSymbolicLink() && !(leaf && options.leafMayBeLink)) throw new UnsafePathError(join(root, inside), `${current} is a symbolic link`);
  }
  return current;
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Whether `inside` exists in the image as a file, directory or link — never following a link to the host. */
export function existsInside(root: string, inside: string): boolean {
  return lstatOrUndefined(pathInside(root, inside, { leafMayBeLink: true })) !== undefined;
}

/** Write a file at a chroot path (checked by pathInside), making its missing directories. */
export async function writeFileInside(root: string, inside: string, content: string, mode: number): Promise<void> {
  const target = pathInside(root, inside);
  await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  await writeFile(target, content, { mode });
}

/**
 * A regular file of the image, read whole from the host side: no link in its path is followed (the
 * leaf neither: O_NOFOLLOW), a FIFO or device is refused without blocking, and a file larger than
 * `limitBytes` is refused. `undefined` when it does not exist.
 */
export function readFileInside(root: string, inside: string, limitBytes: number): Buffer | undefined {
  const path = pathInside(root, inside);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new UnsafePathError(path, 'it is a symbolic link');
    throw error;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new UnsafePathError(path, 'it is not a regular file');
    if (info.size > limitBytes) throw new UnsafePathError(path, `it is ${info.size} bytes, more than the ${limitBytes} read from such a file`);
    const buffer = Buffer.alloc(info.size);
    let done = 0;
    while (done < info.size) {
      const read = readSync(fd, buffer, done, info.size - done, done);
      if (read === 0) break;
      done += read;
    }
    return buffer.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}
