import { open } from 'node:fs/promises';

/**
 * Everything written to a block device made durable: fsync on its node makes the kernel write out
 * the device's cached pages and send it a cache flush (a loop device passes that on as an fsync of
 * the file behind it). No process to start.
 */
export async function flushBlockDevice(device: string): Promise<void> {
  const handle = await open(device, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
