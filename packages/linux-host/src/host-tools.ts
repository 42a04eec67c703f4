import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { AminatorError } from '@aminator/core';

/** A command a plugin runs on the host, and the Debian package that provides it. */
export interface HostTool {
  readonly command: string;
  readonly debianPackage: string;
}

export const HostTools = {
  losetup: { command: 'losetup', debianPackage: 'mount' },
  mount: { command: 'mount', debianPackage: 'mount' },
  blkid: { command: 'blkid', debianPackage: 'util-linux' },
  sfdisk: { command: 'sfdisk', debianPackage: 'fdisk' },
  chroot: { command: 'chroot', debianPackage: 'coreutils' },
  mknod: { command: 'mknod', debianPackage: 'coreutils' },
  stat: { command: 'stat', debianPackage: 'coreutils' },
  mkfsVfat: { command: 'mkfs.vfat', debianPackage: 'dosfstools' },
  mcopy: { command: 'mcopy', debianPackage: 'mtools' },
  mmd: { command: 'mmd', debianPackage: 'mtools' },
  growpart: { command: 'growpart', debianPackage: 'cloud-guest-utils' },
  mkfsExt4: { command: 'mkfs.ext4', debianPackage: 'e2fsprogs' },
  resize2fs: { command: 'resize2fs', debianPackage: 'e2fsprogs' },
  mkfsXfs: { command: 'mkfs.xfs', debianPackage: 'xfsprogs' },
  xfsGrowfs: { command: 'xfs_growfs', debianPackage: 'xfsprogs' },
  debootstrap: { command: 'debootstrap', debianPackage: 'debootstrap' },
  dnf: { command: 'dnf', debianPackage: 'dnf' },
  qemuImg: { command: 'qemu-img', debianPackage: 'qemu-utils' },
} as const satisfies Record<string, HostTool>;

function onPath(command: string, path: string): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Refuse to start (exit 2, nothing created) when a host tool is missing or aminate is not root,
 * naming the Debian packages to install. Looks along PATH; starts no process.
 */
export function requireHostTools(tools: readonly HostTool[], options: { needsRoot?: boolean; path?: string } = {}): void {
  if (options.needsRoot !== false && process.getuid?.() !== 0) {
    throw new AminatorError('aminate needs root here: it attaches loop devices, mounts file systems and runs chroot', {
      code: 'E_NOT_ROOT', exitCode: 2, suggestions: ['run it with sudo, or as root'],
    });
  }
  const path = options.path ?? process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin';
  const missing = tools.filter((tool) => !onPath(tool.command, path));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((t) => t.debianPackage))];
  throw new AminatorError(`missing host tools: ${missing.map((t) => t.command).join(', ')}`, {
    code: 'E_TOOL_MISSING', exitCode: 2, suggestions: [`apt-get install ${packages.join(' ')}`],
  });
}
