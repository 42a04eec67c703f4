import { mkdir, readFile, rmdir, stat } from 'node:fs/promises';
import type { CommandRunner, StepContext } from '@aminator/core';
import { chrootDevMountArgs, makeChrootDevDirectories, populateChrootDev } from './chroot-dev.js';
import { overrideFile } from './file-override.js';
import type { Mounter } from './mounter.js';
import { stopProcessesUnder } from './process-stop.js';
import { pathInside } from './safe-path.js';

export interface ChrootMount {
  readonly inside: string;
  readonly mountArgs: (target: string) => string[];
  /** The private /dev: filled with the usual devices and the image's own block devices once mounted. */
  readonly privateDev?: true;
}

/**
 * What a package install needs mounted in the chroot. /run is a fresh tmpfs so no host state leaks in;
 * /dev is a private tmpfs holding only the usual character devices and the image's own block devices,
 * so nothing run in the chroot can see, let alone write, a host disk.
 */
export const STANDARD_CHROOT_MOUNTS: readonly ChrootMount[] = [
  { inside: '/proc', mountArgs: (t) => ['-t', 'proc', 'proc', t] },
  { inside: '/sys', mountArgs: (t) => ['-t', 'sysfs', 'sysfs', t] },
  { inside: '/dev', mountArgs: chrootDevMountArgs, privateDev: true },
  { inside: '/dev/pts', mountArgs: (t) => ['--bind', '/dev/pts', t] },
  { inside: '/run', mountArgs: (t) => ['-t', 'tmpfs', '-o', 'mode=0755,nosuid,nodev', 'tmpfs', t] },
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
  // Mounts that do not nest go side by side (a mount(8) is a process of ~10 ms); one inside another
  // waits for it, not for the devices made in the private /dev. Every mount that succeeds has its
  // undo pushed, whatever its siblings do.
  const mounted = new Map<ChrootMount, Promise<void>>();
  const work: Promise<void>[] = [];
  for (const mount of mounts) {
    const parent = [...mounted.keys()].filter((m) => isBelow(mount.inside, m.inside)).at(-1);
    const ready = (async () => {
      if (parent) await mounted.get(parent);
      await mountOne(root, mount, mounter, ctx, options);
    })();
    mounted.set(mount, ready);
    work.push(ready);
    if (mount.privateDev) {
      work.push(ready.then(() => populateChrootDev(pathInside(root, mount.inside), options.blockDevices, options.commands, ctx)));
    }
  }
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  // One umount(8) for all of them, deepest first, before their own undos: those then find nothing
  // mounted and start no process, and still unmount (with retries and the holders named) whatever
  // this one could not.
  const targets = [...mounts].reverse().map((m) => pathInside(root, m.inside));
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

async function mountOne(root: string, mount: ChrootMount, mounter: Mounter, ctx: StepContext, options: ChrootMountOptions): Promise<void> {
  const target = pathInside(root, mount.inside);
  await ensureDirectory(target, ctx);
  await mounter.mount(mount.mountArgs(target), ctx.signal);
  ctx.cleanup.push({
    description: `unmount ${target}`,
    resource: { kind: 'mount', id: target },
    manual: [['umount', target]],
    undo: () => mounter.unmountTree(target, { retryMs: options.unmountRetryMs }),
  });
  if (mount.privateDev) await makeChrootDevDirectories(target);
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
