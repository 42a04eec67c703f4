import { existsSync } from 'node:fs';
import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type CommandRunner, ignoreMissing, type Leftover, pollUntil, type StepContext } from '@aminator/core';
import { blockSysfsDir } from './block-sysfs.js';
import { deviceNumbers } from './chroot-dev.js';

/** How long a detached loop device may stay held open by someone else (udev's probe, a disk scan). */
const RELEASE_TIMEOUT_MS = 15_000;

export interface LoopOptions {
  readonly offsetBytes?: number;
  readonly sizeBytes?: number;
  readonly readOnly?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Attach `file` (or a device) to a free loop device; returns its path, e.g. /dev/loop4.
 * An abort stops it from starting but never interrupts losetup: killed after attaching and before
 * printing the name, it would leave a loop device nobody knows to detach.
 */
export async function attachLoop(commands: CommandRunner, file: string, options: LoopOptions = {}): Promise<string> {
  if (options.signal?.aborted) throw options.signal.reason;
  const args = ['--show'];
  if (options.offsetBytes) args.push('--offset', String(options.offsetBytes));
  if (options.sizeBytes) args.push('--sizelimit', String(options.sizeBytes));
  if (options.readOnly) args.push('--read-only');
  // In a container /dev is a copy made at its start: the device the kernel hands out has no node
  // there. Then make the node of the one it hands out next and attach that very device, so the node
  // made is the one this bake detaches and removes; another bake may take it first (busy): try again.
  let device: string | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const target = device === undefined ? ['--find'] : [device];
      const { stdout } = await commands.run('losetup', [...args, ...target, '--', file], { timeoutMs: 30_000 });
      const attached = stdout.trim() || (device as string);
      await removeIdleNodes(attached);
      return attached;
    } catch (error) {
      const message = String((error as Error).message);
      if (attempt >= MISSING_NODE_ATTEMPTS || !(MISSING_NODE.test(message) || (device !== undefined && BUSY.test(message)))) throw error;
      device = await nextLoopNode(commands);
    }
  }
}

const MISSING_NODE = /failed to set up loop device: No such file or directory/;
const BUSY = /failed to set up loop device: Device or resource busy/;
const MISSING_NODE_ATTEMPTS = 4;
/** Nodes this process made, removed again when their device is detached: what was created is released. */
const madeNodes = new Set<string>();

/**
 * The loop device the kernel hands out next (`losetup --find` names it without opening it), its node
 * made when `/dev` lacks it; undefined when losetup names none.
 */
async function nextLoopNode(commands: CommandRunner): Promise<string | undefined> {
  const name = basename((await commands.run('losetup', ['--find'], { timeoutMs: 30_000 })).stdout.trim());
  if (!/^loop\d+$/.test(name)) return undefined;
  await makeLoopNode(commands, name);
  return join('/dev', name);
}

/**
 * Nodes this process made for a device another process attached first (a race for the same free
 * number) are removed once that device is free again, at this process's next attach or detach.
 * One still attached stays: its holder may open it by name.
 */
async function removeIdleNodes(except: string): Promise<void> {
  for (const node of madeNodes) {
    if (node === except || (await loopBackingFile(node)) !== undefined) continue;
    madeNodes.delete(node);
    await rm(node, { force: true });
  }
}

/**
 * `/dev/loopN` as udev would make it (block, mode 0660, the numbers the kernel gives in sysfs) when it
 * is missing; returns the node made (and remembered, to be removed at detach), or undefined.
 */
async function makeLoopNode(commands: CommandRunner, name: string, devDir = '/dev', sysBlock = '/sys/block'): Promise<string | undefined> {
  const node = join(devDir, name);
  if (existsSync(node)) return undefined;
  const numbers = /^(\d+):(\d+)$/.exec((await readFile(join(sysBlock, name, 'dev'), 'utf8').catch(() => '')).trim());
  if (!numbers) return undefined;
  try {
    await commands.run('mknod', ['--mode=0660', '--', node, 'b', numbers[1] as string, numbers[2] as string], { timeoutMs: 10_000 });
  } catch (error) {
    if (existsSync(node)) return undefined; // another bake in this container made it first
    throw error;
  }
  madeNodes.add(node);
  return node;
}

/**
 * Detach, and return only once the device is free: the kernel detaches a device that someone still
 * holds open only at its last close, so without the wait a bake could end with the device still there.
 * The backing file is compared, not the device's presence, because another bake may take the number
 * as soon as it is free.
 */
export async function detachLoop(commands: CommandRunner, device: string): Promise<void> {
  const backing = await loopBackingFile(device);
  // A leftover of another container's bake, seen from a container whose static /dev lacks its node.
  if (backing !== undefined && /^\/dev\/loop\d+$/.test(device)) await makeLoopNode(commands, basename(device));
  await commands.run('losetup', ['--detach', device], { timeoutMs: 30_000 });
  if (madeNodes.delete(device)) await rm(device, { force: true });
  await removeIdleNodes(device);
  if (backing === undefined) return;
  await pollUntil(async () => ((await loopBackingFile(device)) === backing ? undefined : true), {
    what: `${device} to be released after losetup --detach (something still holds it open)`,
    timeoutMs: RELEASE_TIMEOUT_MS,
    signal: new AbortController().signal,
    suggestions: [`see who holds it: fuser -v ${device}; it goes away at its last close`],
  });
}

/** Detach, and count a loop device that meanwhile went away (autoclear, another cleanup) as detached. */
export async function detachLoopIfAttached(commands: CommandRunner, device: string): Promise<void> {
  try {
    await detachLoop(commands, device);
  } catch (error) {
    if ((await loopBackingFile(device)) !== undefined) throw error;
  }
}

/** What backs the loop device, as the kernel reports it; undefined when it is free. */
async function loopBackingFile(device: string): Promise<string | undefined> {
  return readLoopAttribute(join('/sys/block', basename(device)), 'backing_file');
}

/**
 * One attribute of a loop device from sysfs, undefined when it is not attached: a free device has no
 * loop/ directory (ENOENT), and one being detached right now answers ENODEV or ENXIO to the read.
 */
async function readLoopAttribute(deviceDir: string, name: 'backing_file' | 'offset' | 'sizelimit'): Promise<string | undefined> {
  try {
    return await readFile(join(deviceDir, 'loop', name), 'utf8');
  } catch (error) {
    if (['ENODEV', 'ENXIO'].includes((error as NodeJS.ErrnoException)?.code ?? '')) return undefined;
    ignoreMissing(error);
    return undefined;
  }
}

export interface LoopGeometry {
  /** The path the kernel reports for the file behind it (as this mount namespace names it, or not). */
  readonly backingFile: string;
  /** Bytes into the file where the device starts, and how many it shows (0: to the file's end). */
  readonly offset: number;
  readonly sizeLimit: number;
}

/** What a loop device shows of which file, from sysfs; undefined for a free loop device or any other device (throws when the node does not exist). */
export async function loopGeometry(device: string): Promise<LoopGeometry | undefined> {
  const sys = blockSysfsDir(device);
  const [backingFile, offset, sizeLimit] = await Promise.all((['backing_file', 'offset', 'sizelimit'] as const).map((name) => readLoopAttribute(sys, name)));
  if (backingFile === undefined || offset === undefined || sizeLimit === undefined) return undefined;
  return { backingFile: backingFile.trim(), offset: Number(offset), sizeLimit: Number(sizeLimit) };
}

/**
 * The file a loop device shows whole (no offset, no size limit), when it is one: a partition of it is
 * then attached over the file itself, as the kernel's own partition would be, rather than stacked on
 * the loop device — every read and write crossing one loop instead of two (a bake's `apt-get update`
 * reads the ~50 MB package lists through it). The path the kernel reports is used only when the file
 * there is the very inode the device holds (another mount namespace names files differently);
 * otherwise, and for any device that is not such a loop, undefined: stack on the device.
 */
export async function wholeFileOfLoop(commands: CommandRunner, device: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const geometry = await loopGeometry(device);
    if (geometry === undefined || geometry.offset !== 0 || geometry.sizeLimit !== 0) return undefined;
    const { stdout } = await commands.run('losetup', ['--list', '--json', '--output', 'BACK-FILE,BACK-INO,BACK-MAJ:MIN', '--', device], {
      timeoutMs: 30_000,
      signal,
    });
    const [loop] = (JSON.parse(stdout) as { loopdevices?: Array<Record<string, unknown>> }).loopdevices ?? [];
    const file = loop?.['back-file'];
    if (typeof file !== 'string' || !file.startsWith('/')) return undefined;
    const info = await lstat(file, { bigint: true });
    const { major, minor } = deviceNumbers(info.dev);
    return info.isFile() && String(info.ino) === String(loop?.['back-ino']) && `${major}:${minor}` === String(loop?.['back-maj:min']).trim() ? file : undefined;
  } catch {
    return undefined;
  }
}

export interface LoopInfo {
  readonly name: string;
  readonly backFile: string;
  readonly offset: number;
}

/**
 * Loop devices in use and what backs them, read from sysfs as `losetup --list` does, without a
 * process: a `cleanup` with nothing to do then runs no command at all.
 */
export async function listLoops(sysBlock = '/sys/block'): Promise<LoopInfo[]> {
  const names = (await readdir(sysBlock)).filter((name) => /^loop\d+$/.test(name));
  const loops = await Promise.all(
    names.map(async (name): Promise<LoopInfo | undefined> => {
      const dir = join(sysBlock, name);
      const [backFile, offset] = await Promise.all([readLoopAttribute(dir, 'backing_file'), readLoopAttribute(dir, 'offset')]);
      if (backFile === undefined || offset === undefined) return undefined;
      return { name: join('/dev', name), backFile: backFile.replace(/\n$/, ''), offset: Number(offset) };
    }),
  );
  return loops.filter((l): l is LoopInfo => l !== undefined);
}

const DELETED = ' (deleted)';

/** The file a loop device reads, without the " (deleted)" the kernel appends once it was removed. */
export function backingFileOf(loop: LoopInfo): string {
  return loop.backFile.endsWith(DELETED) ? loop.backFile.slice(0, -DELETED.length) : loop.backFile;
}

/**
 * Whether a loop reads `file`: the kernel names it so, or names it from the mount it came through in
 * a mount namespace that is gone — a loop a killed container set up over a file bind-mounted from
 * the node shows `/store/volumes/vol-….raw` for the node's `/var/lib/x/store/volumes/vol-….raw`: a
 * tail of the path that is no file here.
 */
export function loopReads(loop: LoopInfo, file: string): boolean {
  const named = backingFileOf(loop);
  return named === file || isTailFromGoneNamespace(named, file);
}

/** `named` (a loop's file as the kernel names it) is the end of `file`'s path, and no file of its own here. */
export function isTailFromGoneNamespace(named: string, file: string): boolean {
  return named.startsWith('/') && named !== file && file.endsWith(named) && !existsSync(named);
}

/**
 * `direct` (loops over abandoned files) and the loops stacked on them (a partition reached at an
 * offset of the whole-disk loop), outermost first: the order they must be detached in.
 */
export function withStackedLoops(all: readonly LoopInfo[], direct: readonly LoopInfo[]): LoopInfo[] {
  const names = new Set(direct.map((l) => l.name));
  const stacked = all.filter((l) => names.has(l.backFile) || names.has(join('/dev', l.backFile)));
  return [...stacked, ...direct];
}

/**
 * Attach `file` (or the byte range of one partition in it) as a loop device for a step; its detach is
 * pushed on the step's cleanup stack, as a `loop-device` resource.
 */
export async function attachLoopForStep(
  commands: CommandRunner,
  file: string,
  ctx: StepContext,
  part: {
    readonly offsetBytes?: number;
    readonly sizeBytes?: number /** For the undo's description: `partition 1 of /dev/xvdf`. */;
    readonly what?: string;
  } = {},
): Promise<string> {
  const loop = await attachLoop(commands, file, { offsetBytes: part.offsetBytes, sizeBytes: part.sizeBytes, signal: ctx.signal });
  ctx.cleanup.push({
    description: part.what ? `detach ${loop} (${part.what})` : `detach ${loop}`,
    resource: { kind: 'loop-device', id: loop },
    manual: [['losetup', '--detach', loop]],
    undo: () => detachLoop(commands, loop),
  });
  return loop;
}

/** A loop device over a file no live bake holds, as `aminate cleanup` lists it. */
export function loopLeftover(loop: LoopInfo, reason: string, commands: CommandRunner): Leftover {
  return { phase: 'devices', kind: 'loop-device', id: loop.name, reason, reclaim: () => detachLoopIfAttached(commands, loop.name) };
}
