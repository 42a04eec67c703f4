import { readFile, realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CommandRunner } from '@aminator/core';

/**
 * Size of a block device in bytes, from sysfs (no process to start); `blockdev` where sysfs does
 * not know the device.
 */
export async function blockDeviceBytes(commands: CommandRunner, device: string): Promise<number> {
  try {
    const sectors = Number((await readFile(`/sys/class/block/${basename(await realpath(device))}/size`, 'utf8')).trim());
    if (Number.isSafeInteger(sectors) && sectors > 0) return sectors * 512;
  } catch {
    // fall through to blockdev
  }
  return Number((await commands.run('blockdev', ['--getsize64', device])).stdout.trim());
}
