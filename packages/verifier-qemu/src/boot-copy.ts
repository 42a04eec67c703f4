import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type CommandRunner, removeDirIfPresent, removeFileIfPresent, type StepContext } from '@aminator/core';
import {
  attachLoop,
  chooseRootPartition,
  copyDiskFile,
  detachLoop,
  Mounter,
  partitionByteRange,
  pathInside,
  readPartitionTable,
  writeFileInside,
} from '@aminator/linux-host';
import { autologinDropIn, autologinDropInPath, CHECK_SCRIPT, CHECK_UNIT, checkScript, checkUnit } from './guest-check.js';
import type { QemuMachine, ReportChannel } from './qemu-machine.js';
import { BOOT_COPY, BOOT_COPY_ROOT } from './verify-files.js';

/**
 * A throwaway copy of the image to boot: sparse (and a reflink where the file system can), with
 * `prepare` run on its mounted root file system. The image itself is only read. The copy is removed
 * by the undo pushed here.
 */
export async function makeBootCopy(
  disk: string,
  dir: string,
  prepare: (root: string) => Promise<void>,
  commands: CommandRunner,
  ctx: StepContext,
): Promise<string> {
  const copy = join(dir, BOOT_COPY);
  ctx.cleanup.push({ description: `remove ${copy}`, resource: { kind: 'file', id: copy }, undo: () => removeFileIfPresent(copy) });
  ctx.progress('copying the image to boot it');
  await copyDiskFile(commands, disk, copy, { signal: ctx.signal });
  await withRootMounted(copy, dir, commands, ctx, prepare);
  return copy;
}

/** For a verification: the check unit that reports the boot on the machine's report channel. */
export function addCheckUnit(nonce: string, units: readonly string[], channel: ReportChannel): (root: string) => Promise<void> {
  const out = channel.kind === 'serial' ? channel.guestDevice : `/dev/virtio-ports/${channel.name}`;
  return async (root) => {
    await writeFileInside(root, CHECK_SCRIPT, checkScript(nonce, units, out), 0o755);
    await writeFileInside(root, `/etc/systemd/system/${CHECK_UNIT}`, checkUnit(), 0o644);
    const wants = pathInside(root, '/etc/systemd/system/multi-user.target.wants');
    await mkdir(wants, { recursive: true, mode: 0o755 });
    await symlink(`/etc/systemd/system/${CHECK_UNIT}`, join(wants, CHECK_UNIT));
  };
}

/** For `aminate boot`: root logged in on the serial console (the images have no password and no key). */
export function addConsoleAutologin(machine: QemuMachine): (root: string) => Promise<void> {
  return (root) => writeFileInside(root, autologinDropInPath(machine.consoleTty), autologinDropIn(), 0o644);
}

/** Mount the copy's root file system (a loop device at the root partition's offset) for `work`, then release it. */
async function withRootMounted(file: string, dir: string, commands: CommandRunner, ctx: StepContext, work: (root: string) => Promise<void>): Promise<void> {
  const table = await readPartitionTable(commands, file);
  const partition = table ? chooseRootPartition(table) : undefined;
  const range = table && partition ? partitionByteRange(table, partition) : {};
  const loop = await attachLoop(commands, file, { ...range, signal: ctx.signal });
  const mounter = new Mounter(commands);
  const root = join(dir, BOOT_COPY_ROOT);
  try {
    await mkdir(root, { mode: 0o700 });
    await mounter.mount([loop, root], ctx.signal);
    try {
      await work(root);
    } finally {
      await mounter.unmountTree(root, { retryMs: 10_000 });
    }
  } finally {
    await removeDirIfPresent(root);
    await detachLoop(commands, loop);
  }
}
