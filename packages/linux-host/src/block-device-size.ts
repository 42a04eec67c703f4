import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from '@aminator/core';
import { blockSysfsDir } from './block-sysfs.js';

/**
 * Size of a block device in bytes, from sysfs (no process to start); `blockdev` where sysfs does
 * not know the device.
 */
export async function blockDeviceBytes(commands: CommandRunner, device: string): Promise<number> {
  try {
    const sectors = Number((await readFile(join(blockSysfsDir(device), 'size'), 'utf8')).trim());
    if (Number.isSafeInteger(sectors) && sectors > 0) return sectors * 512;
  } catch {
    // fall through to blockdev
  }
  return Number((await commands.run('blockdev', ['--getsize64', device])).stdout.trim());
}
