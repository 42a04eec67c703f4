import { chmod, lstat, mkdir, realpath, rename, stat, symlink, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { type CommandRunner, ignoreMissing, type StepContext } from '@aminator/core';
import { filesystemUuid } from './filesystem-probe.js';
import { HostTools } from './host-tools.js';

/** The character devices any program may expect, with their fixed Linux numbers. */
const CHARACTER_DEVICES: ReadonlyArray<readonly [name: string, major: number, minor: number]> = [
  ['null', 1, 3],
  ['zero', 1, 5],
  ['full', 1, 7],
  ['random', 1, 8],
  ['urandom', 1, 9],
  ['tty', 5, 0],
];

const LOOP = /^loop\d+$/;

const LINKS: ReadonlyArray<readonly [name: string, target: string]> = [
  ['ptmx', 'pts/ptmx'],
  ['fd', '/proc/self/fd'],
  ['stdin', '/proc/self/fd/0'],
  ['stdout', '/proc/self/fd/1'],
  ['stderr', '/proc/self/fd/2'],
];

/** The host commands a private /dev takes. */
export const CHROOT_DEV_TOOLS = [HostTools.cp, HostTools.mknod, HostTools.blkid] as const;

/**
 * Fill a fresh tmpfs at `dev` (already mounted, empty) with the chroot's devices: the usual character
 * devices, and of block devices only `blockDevices` — the image's own — each under the name the host
 * gives it (grub-probe looks up the mount source by that name) and by UUID in /dev/disk/by-uuid (so
 * update-grub names the root by UUID, never by /dev/loopN). The host's disks are not there at all: a
 * maintainer script that runs grub-install or writes a disk cannot reach them.
 */
export async function populateChrootDev(dev: string, blockDevices: readonly string[], commands: CommandRunner, ctx: StepContext): Promise<void> {
  const blocks = await imageBlockNodes(blockDevices);
  await makeDeviceNodes(dev, blocks, commands, ctx.signal);
  for (const [name, target] of LINKS) await symlink(target, join(dev, name));
  for (const block of blocks) {
    if (block.nodeName !== block.name) await symlink(block.nodeName, join(dev, block.name));
    const uuid = await filesystemUuid(commands, block.real, ctx.signal);
    if (uuid) {
      await mkdir(join(dev, 'disk', 'by-uuid'), { recursive: true, mode: 0o755 });
      await symlink(join('..', '..', block.nodeName), join(dev, 'disk', 'by-uuid', uuid));
    }
  }
}

/** The directories of a fresh chroot /dev that file systems are mounted on, made before its devices. */
export async function makeChrootDevDirectories(dev: string): Promise<void> {
  await mkdir(join(dev, 'pts'), { mode: 0o755 });
  await mkdir(join(dev, 'shm'), { mode: 0o1777 });
}

/** A block device of the image as the chroot shows it. */
export interface BlockNode {
  /** The host's node (symlinks resolved). */
  readonly real: string;
  /** Its name below /dev on the host, which the mount table uses. */
  readonly name: string;
  /** Its name in the chroot's /dev: a loop device gets one of its own (see above). */
  readonly nodeName: string;
  readonly rdev: bigint;
}

async function imageBlockNodes(blockDevices: readonly string[]): Promise<BlockNode[]> {
  const nodes: BlockNode[] = [];
  for (const device of blockDevices) {
    const real = await realpath(device);
    // A volume given as a file (tests, fakes) has no device node to show.
    const info = await stat(real, { bigint: true });
    if (!info.isBlockDevice()) continue;
    const name = relative('/dev', real);
    if (name.startsWith('..')) throw new Error(`${device} is not a device node below /dev`);
    // GRUB's 10_linux writes no menu entry at all for a root on /dev/loopN backed by a file: the node
    // gets a name of its own, and the loop name (what the mount table says) links to it.
    nodes.push({ real, name, nodeName: LOOP.test(name) ? `aminator-${name}` : name, rdev: info.rdev });
  }
  return nodes;
}

/**
 * The character devices and the image's block devices, in one process: `cp -R` of the host's nodes
 * makes nodes, not copies (Node cannot mknod, and a process costs ~10 ms here). Each is then checked
 * against the numbers it must have in-process — a character device against Linux's fixed numbers, a
 * block device against the host node's — and one missing or different (a container's odd /dev) is
 * made by `mknod`. Modes are set here, not taken from the host.
 */
export async function makeDeviceNodes(
  dev: string,
  blocks: readonly BlockNode[],
  commands: CommandRunner,
  signal: AbortSignal,
  hostDev = '/dev',
): Promise<void> {
  const copied = blocks.filter((b) => !b.name.includes('/'));
  const sources = [...CHARACTER_DEVICES.map(([name]) => join(hostDev, name)), ...copied.map((b) => b.real)];
  await commands.run('cp', ['-R', '--no-preserve=all', '--', ...sources, `${dev}/`], { okExitCodes: [0, 1], signal });
  for (const [name, major, minor] of CHARACTER_DEVICES) {
    await ensureNode(join(dev, name), 'c', { major, minor }, 0o666, commands, signal);
  }
  for (const block of blocks) {
    const node = join(dev, block.nodeName);
    if (copied.includes(block) && block.nodeName !== block.name) await rename(join(dev, basename(block.real)), node).catch(ignoreMissing);
    await mkdir(dirname(node), { recursive: true, mode: 0o755 });
    await ensureNode(node, 'b', deviceNumbers(block.rdev), 0o660, commands, signal);
  }
}

async function ensureNode(
  node: string,
  type: 'b' | 'c',
  want: { major: number; minor: number },
  mode: number,
  commands: CommandRunner,
  signal: AbortSignal,
): Promise<void> {
  const info = await lstat(node, { bigint: true }).catch((error: unknown) => {
    ignoreMissing(error);
    return undefined;
  });
  const rightType = type === 'c' ? info?.isCharacterDevice() : info?.isBlockDevice();
  const numbers = info && rightType ? deviceNumbers(info.rdev) : undefined;
  if (numbers?.major !== want.major || numbers.minor !== want.minor) {
    if (info) await unlink(node);
    await commands.run('mknod', [node, type, String(want.major), String(want.minor)], { signal });
  }
  await chmod(node, mode);
}

/** Major and minor of a device number, split as glibc's major()/minor() do. */
export function deviceNumbers(rdev: bigint): { major: number; minor: number } {
  return {
    major: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)),
    minor: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)),
  };
}

/** The tmpfs the chroot's /dev is made on, as an fstab line gives it. */
export const CHROOT_DEV_MOUNT = { source: 'aminator-dev', type: 'tmpfs', options: ['mode=0755', 'nosuid', 'size=16m'] } as const;
