import type { CommandRunner } from '@aminator/core';

const UUID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The file system UUID on a device, read from the device itself (`blkid --probe`), never from blkid's
 * cache: loop device names are reused all the time, and a cached answer for /dev/loopN may describe
 * the image that had the name before. Undefined when the device holds no file system with a UUID.
 */
export async function filesystemUuid(commands: CommandRunner, device: string, signal?: AbortSignal): Promise<string | undefined> {
  const { stdout } = await commands.run('blkid', ['--probe', '--output', 'value', '--match-tag', 'UUID', '--', device], { okExitCodes: [0, 2], signal });
  const uuid = stdout.trim();
  return UUID.test(uuid) ? uuid : undefined;
}
