import { open, readFile, realpath } from 'node:fs/promises';
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

const EXT_SUPERBLOCK = 1024;
const EXT_MAGIC = 0xef53;
const EXT_INCOMPAT_64BIT = 0x80;

/**
 * Size of the ext2/3/4 file system on a device, from its superblock: blocks × block size (the high
 * 32 bits of the block count only with the 64bit feature). Undefined when there is no ext superblock.
 */
export async function extFileSystemBytes(device: string): Promise<number | undefined> {
  const file = await open(device, 'r');
  try {
    const sb = Buffer.alloc(1024);
    await file.read(sb, 0, sb.length, EXT_SUPERBLOCK);
    if (sb.readUInt16LE(0x38) !== EXT_MAGIC) return undefined;
    const blockSize = 1024 * 2 ** sb.readUInt32LE(0x18);
    const high = (sb.readUInt32LE(0x60) & EXT_INCOMPAT_64BIT) !== 0 ? sb.readUInt32LE(0x150) : 0;
    return (high * 2 ** 32 + sb.readUInt32LE(0x04)) * blockSize;
  } finally {
    await file.close();
  }
}
