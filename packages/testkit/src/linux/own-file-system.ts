import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDiskImage } from './disk-image.js';
import { sh } from './sh.js';
import { attachTestLoop, detachTestLoopIfAttached } from './test-loop.js';

/** What the kernel counts for a block device (`/sys/block/NAME/stat`), since it appeared. */
export interface DeviceCounters {
  readonly sectorsWritten: number;
  readonly flushes: number;
}

export interface OwnFileSystem {
  /** The image file under the loop device. */
  readonly image: string;
  readonly mountPoint: string;
  counters(): DeviceCounters;
}

/**
 * An ext4 of its own (barriers on) in `dir`, on a loop device, mounted for `work`: what a test's
 * writes, syncs and trims do reaches only this device, whose counters tell what reached it.
 * Unmounted and detached afterwards, also when `work` fails.
 */
export async function withOwnFileSystem<T>(dir: string, sizeBytes: number, work: (fs: OwnFileSystem) => Promise<T>): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const image = join(dir, 'own-fs.img');
  makeDiskImage(image, { sizeBytes, table: 'none', fs: 'ext4' });
  const loop = attachTestLoop(image);
  const mountPoint = join(dir, 'own-fs');
  mkdirSync(mountPoint);
  const counters = (): DeviceCounters => {
    const fields = readFileSync(`/sys/block/${loop.slice('/dev/'.length)}/stat`, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    return { sectorsWritten: fields[6] ?? 0, flushes: fields[15] ?? 0 };
  };
  try {
    sh('mount', ['-t', 'ext4', loop, mountPoint]);
    try {
      return await work({ image, mountPoint, counters });
    } finally {
      sh('umount', [mountPoint]);
    }
  } finally {
    detachTestLoopIfAttached(loop);
  }
}
