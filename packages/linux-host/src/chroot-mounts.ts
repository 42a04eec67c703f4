import { realpathSync } from 'node:fs';
import { mkdir, readFile, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { CommandRunner, StepContext } from '@aminator/core';
import { CHROOT_DEV_MOUNT, makeChrootDevDirectories, populateChrootDev } from './chroot-dev.js';
import { overrideFile } from './file-override.js';
import type { FstabEntry } from './fstab.js';
import type { Mounter } from './mounter.js';
import { stopProcessesUnder } from './process-stop.js';
import { pathInside } from './safe-path.js';

export interface ChrootMount {
  readonly inside: string;
  /** As fstab(5) gives it: a bind mount has type `none` and the option `bind`. */
  readonly source: string;
  readonly type: string;
  readonly options: readonly string[];
  /** The private /dev: filled with the usual devices and the image's own block devices once mounted. */
  readonly privateDev?: true;
}

/**
 * What a package install needs mounted in the chroot. /run is a fresh tmpfs so no host state leaks in;
 * /dev is a private tmpfs holding only the usual character devices and the image's own block devices,
 * so nothing run in the chroot can see, let alone write, a host disk.
 */
export const STANDARD_CHROOT_MOUNTS: readonly ChrootMount[] = [
  { inside: '/proc', source: 'proc', type: 'proc', options: [] },
  { inside: '/sys', source: 'sysfs', type: 'sysfs', options: [] },
  { inside: '/dev', ...CHROOT_DEV_MOUNT, privateDev: true },
  { inside: '/dev/pts', source: '/dev/pts', type: 'none', options: ['bind'] },
  { inside: '/run', source: 'tmpfs', type: 'tmpfs', options: ['mode=0755', 'nosuid', 'nodev'] },
];

export interface ChrootMountOptions {
  readonly unmountRetryMs: number;
  /** The image's block devices (its root file system's node first) to show in the chroot's /dev. */
  readonly blockDevices: readonly string[];
  readonly commands: CommandRunner;
}

/**
 * Mount the pseudo file systems into the chroot, each through a path checked to stay inside it, each
 * with its undo pushed as soon as it is mounted.
 */
export async function mountChrootFilesystems(
  root: string,
  mounter: Mounter,
  ctx: StepContext,
  options: ChrootMountOptions,
  mounts = STANDARD_CHROOT_MOUNTS,
): Promise<void> {
  // The image's own mount points first, with one mount(8): a process costs this process ~10 ms
  // here (the fork of a large process), five of them more than the mounts themselves. Then those
  // nested in one of them (/dev/pts in the private /dev), only once that is mounted: a path in the
  // fresh file system, never looked up in the image, whose own is hidden — and never mounted
  // through the image's directory should its parent have failed.
  const entries: FstabEntry[] = [];
  const nested: FstabEntry[] = [];
  const privateDevs: string[] = [];
  const targets: string[] = [];
  const entryOf = new Map<ChrootMount, FstabEntry>();
  for (const mount of mounts) {
    const parentMount = mounts.findLast((m) => isBelow(mount.inside, m.inside));
    const parent = parentMount && entryOf.get(parentMount);
    if (parentMount && (!parent || !entries.includes(parent)))
      throw new Error(`${mount.inside} must come after ${parentMount.inside}, which must not be nested itself`);
    const target = parentMount && parent ? join(parent.target, relative(parentMount.inside, mount.inside)) : await imageTarget(root, mount, ctx);
    const entry = { source: mount.source, target, type: mount.type, options: mount.options };
    entryOf.set(mount, entry);
    (parent ? nested : entries).push(entry);
    targets.unshift(target);
    if (mount.privateDev) privateDevs.push(target);
  }
  const pushUndo = (target: string): void =>
    ctx.cleanup.push({
      description: `unmount ${target}`,
      resource: { kind: 'mount', id: target },
      manual: [['umount', target]],
      undo: () => mounter.unmountTree(target, { retryMs: options.unmountRetryMs }),
    });
  const scratch = dirname(realpathSync(root));
  await mounter.mountAll(entries, scratch, pushUndo, ctx.signal);
  for (const dev of privateDevs) await makeChrootDevDirectories(dev);
  const work = [
    nested.length > 0 ? mounter.mountAll(nested, scratch, pushUndo, ctx.signal) : Promise.resolve(),
    ...privateDevs.map((dev) => populateChrootDev(dev, options.blockDevices, options.commands, ctx)),
  ];
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  // One umount(8) for all of them, deepest first, before their own undos: those then find nothing
  // mounted and start no process, and still unmount (with retries and the holders named) whatever
  // this one could not.
  ctx.cleanup.push({
    description: `unmount ${targets.join(', ')}`,
    undo: () => mounter.unmountAtOnce(targets),
  });
  // Unwound before the unmounts: a maintainer script cut short (or a daemon it started) keeps running
  // inside the chroot and would hold every mount busy.
  ctx.cleanup.push({
    description: `stop processes left running in ${root}`,
    evenWhenPreserving: false,
    undo: async () => {
      const stopped = await stopProcessesUnder(root);
      if (stopped.length > 0) ctx.log.warn(`stopped ${stopped.map((h) => `${h.command} (pid ${h.pid})`).join(', ')} left running in the chroot`);
    },
  });
}

/** Where a mount of the image's own tree goes on the host: checked by pathInside, its directory made (and removed at undo) when the image lacks it. */
async function imageTarget(root: string, mount: ChrootMount, ctx: StepContext): Promise<string> {
  const target = pathInside(root, mount.inside);
  await ensureDirectory(target, ctx);
  return target;
}

function isBelow(path: string, parent: string): boolean {
  return path.startsWith(`${parent}/`);
}

/** The host's resolver configuration inside the chroot while it is prepared. */
export async function copyResolvConf(root: string, ctx: StepContext, hostFile = '/etc/resolv.conf'): Promise<void> {
  const content = await readFile(hostFile, 'utf8').catch(() => '');
  await overrideFile(root, '/etc/resolv.conf', content, { mode: 0o644, leafMayBeLink: true }, ctx);
}

async function ensureDirectory(target: string, ctx: StepContext): Promise<void> {
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) return;
  await mkdir(target, { mode: 0o755 });
  ctx.cleanup.push({ description: `remove ${target}`, resource: { kind: 'directory', id: target }, undo: () => rmdir(target) });
}

/** What every OS plugin does first: the pseudo file systems and the host's resolv.conf. */
export async function prepareChrootBasics(root: string, mounter: Mounter, ctx: StepContext, options: ChrootMountOptions): Promise<void> {
  await mountChrootFilesystems(root, mounter, ctx, options);
  await copyResolvConf(root, ctx);
}
