import type { CommandRunner } from '@aminator/core';
import { readExtSuperblock } from './ext-superblock.js';

const UUID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The file system UUID on a device, read from the device itself, never from blkid's cache: loop
 * device names are reused all the time, and a cached answer for /dev/loopN may describe the image
 * that had the name before. ext2/3/4 from the superblock in-process (what blkid reports for them);
 * any other file system by `blkid --probe`. Undefined when the device holds no file system with a UUID.
 */
export async function filesystemUuid(commands: CommandRunner, device: string, signal?: AbortSignal): Promise<string | undefined> {
  const ext = await readExtSuperblock(device);
  if (ext) return ext.uuid;
  const { stdout } = await commands.run('blkid', ['--probe', '--output', 'value', '--match-tag', 'UUID', '--', device], { okExitCodes: [0, 2], signal });
  const uuid = stdout.trim();
  return UUID.test(uuid) ? uuid : undefined;
}

/**
 * The file system type on a device as blkid names it, read from the device itself (see above):
 * ext2/3/4 from the superblock in-process, anything else by `blkid --probe`. Empty when blkid finds none.
 */
export async function filesystemType(commands: CommandRunner, device: string, signal?: AbortSignal): Promise<string> {
  const ext = await readExtSuperblock(device);
  if (ext?.type) return ext.type;
  const { stdout } = await commands.run('blkid', ['--probe', '--output', 'value', '--match-tag', 'TYPE', '--', device], {
    okExitCodes: [0, 2],
    signal,
    timeoutMs: 30_000,
  });
  return stdout.trim();
}
