import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { AminatorError, EXIT_USAGE } from '@aminator/core';
import { LinuxErrorCodes } from './errors.js';

/** A command a plugin runs on the host (or, as an absolute path, a file it reads), and the Debian package that provides it. */
export interface HostTool {
  readonly command: string;
  readonly debianPackage: string;
  /** Only Red Hat family images need it (`aminate foundation --os redhat`, a bake of a local .rpm): not Debian images. */
  readonly redHatOnly?: boolean;
  /** Only images of this architecture need it (on a host of another): `aminate foundation --arch arm64`, their bakes and boots. */
  readonly forArch?: 'arm64';
}

/**
 * Every program aminate's plugins start on the host, in one table: the checks before a run, the
 * `apt-get install` suggestions and the quickstart's package list (scripts/host-packages.mjs) are
 * all made from it, and a test fails when the code runs a program that is not here.
 */
export const HostTools = {
  losetup: { command: 'losetup', debianPackage: 'mount' },
  mount: { command: 'mount', debianPackage: 'mount' },
  blkid: { command: 'blkid', debianPackage: 'util-linux' },
  sfdisk: { command: 'sfdisk', debianPackage: 'fdisk' },
  chroot: { command: 'chroot', debianPackage: 'coreutils' },
  mknod: { command: 'mknod', debianPackage: 'coreutils' },
  mkfsVfat: { command: 'mkfs.vfat', debianPackage: 'dosfstools' },
  mcopy: { command: 'mcopy', debianPackage: 'mtools' },
  mmd: { command: 'mmd', debianPackage: 'mtools' },
  growpart: { command: 'growpart', debianPackage: 'cloud-guest-utils' },
  mkfsExt4: { command: 'mkfs.ext4', debianPackage: 'e2fsprogs' },
  resize2fs: { command: 'resize2fs', debianPackage: 'e2fsprogs' },
  mkfsXfs: { command: 'mkfs.xfs', debianPackage: 'xfsprogs' },
  xfsGrowfs: { command: 'xfs_growfs', debianPackage: 'xfsprogs' },
  debootstrap: { command: 'debootstrap', debianPackage: 'debootstrap' },
  dnf: { command: 'dnf', debianPackage: 'dnf', redHatOnly: true },
  qemuImg: { command: 'qemu-img', debianPackage: 'qemu-utils' },
  qemuSystem: { command: 'qemu-system-x86_64', debianPackage: 'qemu-system-x86' },
  ovmfCode: { command: '/usr/share/OVMF/OVMF_CODE_4M.fd', debianPackage: 'ovmf' },
  cp: { command: 'cp', debianPackage: 'coreutils' },
  uname: { command: 'uname', debianPackage: 'coreutils' },
  sync: { command: 'sync', debianPackage: 'coreutils' },
  umount: { command: 'umount', debianPackage: 'mount' },
  blockdev: { command: 'blockdev', debianPackage: 'util-linux' },
  fstrim: { command: 'fstrim', debianPackage: 'util-linux' },
  e2fsck: { command: 'e2fsck', debianPackage: 'e2fsprogs' },
  dpkgDeb: { command: 'dpkg-deb', debianPackage: 'dpkg' },
  rpm: { command: 'rpm', debianPackage: 'rpm', redHatOnly: true },
  // The kernel, not aminate, starts it (binfmt_misc, flag F): `requireEmulation` checks its handler.
  qemuUserAarch64: { command: '/usr/bin/qemu-aarch64-static', debianPackage: 'qemu-user-static', forArch: 'arm64' },
  qemuSystemAarch64: { command: 'qemu-system-aarch64', debianPackage: 'qemu-system-arm', forArch: 'arm64' },
  aavmfCode: { command: '/usr/share/AAVMF/AAVMF_CODE.fd', debianPackage: 'qemu-efi-aarch64', forArch: 'arm64' },
} as const satisfies Record<string, HostTool>;

/** The tools of the table a host needs for Debian images; with `redhat`, `arm64` also those of Red Hat and arm64 images. */
export function hostToolsFor(options: { readonly redhat?: boolean; readonly arm64?: boolean } = {}): HostTool[] {
  return (Object.values(HostTools) as HostTool[]).filter((tool) => (options.redhat || !tool.redHatOnly) && (options.arm64 || tool.forArch === undefined));
}

/** Debian packages that provide `tools`, each once. */
export function debianPackagesOf(tools: readonly HostTool[]): string[] {
  return [...new Set(tools.map((t) => t.debianPackage))];
}

/** The tools of `tools` that this host lacks (PATH for commands; the file itself for a path). */
export function missingHostTools(tools: readonly HostTool[], path = process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'): HostTool[] {
  return tools.filter((tool) => !onPath(tool.command, path));
}

function onPath(command: string, path: string): boolean {
  if (command.startsWith('/')) return existsSync(command);
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
      code: LinuxErrorCodes.NOT_ROOT,
      exitCode: EXIT_USAGE,
      suggestions: ['run it with sudo, or as root'],
    });
  }
  const missing = missingHostTools(tools, options.path);
  if (missing.length === 0) return;
  const packages = debianPackagesOf(missing);
  throw new AminatorError(`missing host tools: ${missing.map((t) => t.command).join(', ')}`, {
    code: LinuxErrorCodes.TOOL_MISSING,
    exitCode: EXIT_USAGE,
    suggestions: [`apt-get install ${packages.join(' ')}`],
  });
}
