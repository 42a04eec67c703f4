import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Make a staged image's small files and its directory entries durable before it is published: the
 * disk's blocks were written out by the volume's flush after unmount, but the manifest, the SBOMs
 * and the rename that brought the disk in would otherwise live in the page cache for up to half a
 * minute, and a crash then could leave a published directory with an empty manifest. `skip` names
 * the files already durable (the disk: re-syncing a 2 GiB sparse file would only walk its cache).
 */
export async function syncStagedFiles(dir: string, skip: ReadonlySet<string>): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile() && !skip.has(entry.name)) await syncPath(join(dir, entry.name));
  }
  await syncPath(dir);
}

/** fsync a file or directory by path, never following a symlink planted in its place. */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
