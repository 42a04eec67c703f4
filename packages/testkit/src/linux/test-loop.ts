import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { sh } from './sh.js';

/** How long a detached loop device may stay held open by udev's probe before the test gives up. */
const RELEASE_TIMEOUT_MS = 15_000;

export interface TestLoopOptions {
  readonly offset?: number;
  readonly size?: number;
  readonly readOnly?: boolean;
}

/**
 * What each device attachTestLoop attached showed then. Test files run side by side: once a device is
 * free (the code under test detached it), another test may take its number at once, and a cleanup path
 * must not detach that test's device.
 */
const attachedBacking = new Map<string, string>();

/** Attach `file` (or a byte range of it) to a free loop device for a fixture; returns e.g. /dev/loop4. */
export function attachTestLoop(file: string, options: TestLoopOptions = {}): string {
  const args = ['--find', '--show'];
  if (options.offset) args.push('--offset', String(options.offset));
  if (options.size) args.push('--sizelimit', String(options.size));
  if (options.readOnly) args.push('--read-only');
  const loop = sh('losetup', [...args, '--', file]).trim();
  const backing = backingFile(loop);
  if (backing !== undefined) attachedBacking.set(loop, backing);
  return loop;
}

/**
 * Detach and wait until the kernel has let go: a device udev still probes (after a mount or umount)
 * is only marked to go at its last close, and a leak check right after would see it. The backing file
 * is compared because another test may take the freed number at once.
 */
export function detachTestLoop(loop: string): void {
  const backing = backingFile(loop);
  sh('losetup', ['--detach', loop]);
  attachedBacking.delete(loop);
  const deadline = Date.now() + RELEASE_TIMEOUT_MS;
  while (backing !== undefined && backingFile(loop) === backing) {
    if (Date.now() > deadline) throw new Error(`${loop} is still attached to ${backing} ${RELEASE_TIMEOUT_MS} ms after losetup --detach`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

/**
 * Detach a loop device that may already be gone; for cleanup paths that must not throw. A device
 * attachTestLoop attached is detached only while it still shows that file (deleted or not): its number
 * may meanwhile be another test's.
 */
export function detachTestLoopIfAttached(loop: string): void {
  const attached = attachedBacking.get(loop);
  const now = backingFile(loop);
  if (attached !== undefined && now !== attached && now !== `${attached} (deleted)`) {
    attachedBacking.delete(loop);
    return;
  }
  try {
    detachTestLoop(loop);
  } catch {
    // gone already, or the leak check will name it
  }
}

function backingFile(loop: string): string | undefined {
  try {
    return readFileSync(`/sys/block/${basename(loop)}/loop/backing_file`, 'utf8').trim();
  } catch {
    return undefined;
  }
}
