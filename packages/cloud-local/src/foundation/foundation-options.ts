import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { InvalidInputError, UsageError } from '@aminator/core';
import { CHROOT_DEV_TOOLS, type HostTool, HostTools, hostDebianMirror, hostDebianSuite } from '@aminator/linux-host';
import { IMAGE_NAME, parseSize } from '@aminator/local-store';
import { BOOT_TOOLS } from './boot-loader.js';

export interface FoundationOptions {
  readonly name: string;
  readonly os: 'debian' | 'redhat';
  readonly release: string;
  /** Debian mirror or Red Hat repository URL. */
  readonly source: string;
  readonly sizeBytes: number;
  readonly fs: 'ext4' | 'xfs';
  readonly partitionTable: 'gpt' | 'none';
  readonly include: readonly string[];
  readonly force: boolean;
  /** Kernel, initramfs, systemd and GRUB for BIOS and UEFI in Debian's cloud layout; false: a root file system only. */
  readonly bootable: boolean;
  /** What the packages' signatures are checked against: a keyring (Debian) or the repository's GPG key (Red Hat). */
  readonly keyring: KeyringChoice;
  /** `--insecure-repo`: no signature checks at all (a warning in the log and in the image's manifest). */
  readonly insecureRepo: boolean;
}

/** A keyring file and the package that provides it, for the error when it is missing. */
export interface KeyringChoice {
  readonly file: string;
  readonly package?: string;
}

/** The archive keyrings of the distributions debootstrap builds, by /etc/os-release ID. */
const ARCHIVE_KEYRINGS: Readonly<Record<string, KeyringChoice>> = {
  debian: { file: '/usr/share/keyrings/debian-archive-keyring.gpg', package: 'debian-archive-keyring' },
  ubuntu: { file: '/usr/share/keyrings/ubuntu-archive-keyring.gpg', package: 'ubuntu-keyring' },
};

/** This host's distribution's archive keyring: it signs the mirror and suite a foundation defaults to. */
function hostArchiveKeyring(osRelease = '/etc/os-release'): KeyringChoice {
  let id = 'debian';
  try {
    id = /^ID=["']?([a-z]+)["']?$/m.exec(readFileSync(osRelease, 'utf8'))?.[1] ?? id;
  } catch {
    // no os-release: Debian's keyring
  }
  return ARCHIVE_KEYRINGS[id] ?? (ARCHIVE_KEYRINGS.debian as KeyringChoice);
}

const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9+._-]{0,127}$/;
const MIN_SIZE = 512 * 1024 ** 2;
const MIN_BOOTABLE_SIZE = 1024 ** 3;

/** Validate everything `aminate foundation` was given before anything is created. */
export function foundationOptions(raw: Readonly<Record<string, unknown>>): FoundationOptions {
  const name = String(raw.name ?? '');
  if (!IMAGE_NAME.test(name)) throw new InvalidInputError('--name', `"${name}" is not a valid image name (letters, digits, . _ + ~ ( ) -)`);
  const os = raw.os === 'redhat' ? 'redhat' : 'debian';
  const release = String(raw.suite ?? raw.releasever ?? (os === 'debian' ? (hostDebianSuite() ?? '') : ''));
  if (!/^[a-z0-9][a-z0-9.-]{0,31}$/.test(release))
    throw new InvalidInputError(os === 'debian' ? '--suite' : '--releasever', `"${release}" is not a release name`);
  const source = String(raw.mirror ?? raw.repo ?? (os === 'debian' ? (hostDebianMirror() ?? '') : ''));
  if (!source) {
    throw new UsageError(
      os === 'debian'
        ? "no Debian mirror: give --mirror URL (this host's apt sources name none)"
        : 'Red Hat family foundations need --repo URL (a repository with the base packages)',
    );
  }
  if (!/^https?:\/\/[^\s@]+$/.test(source) && !/^file:\/\/\/[^\s]+$/.test(source))
    throw new InvalidInputError('--mirror/--repo', `"${source}" is not an http(s) or file:/// URL without credentials`);
  const sizeBytes = parseSize('--size', String(raw.size ?? '2G'));
  if (sizeBytes < MIN_SIZE) throw new InvalidInputError('--size', 'must be at least 512M');
  const include = String(raw.include ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const pkg of include) if (!PACKAGE.test(pkg)) throw new InvalidInputError('--include', `"${pkg}" is not a package name`);
  if (os === 'redhat' && include.length === 0)
    throw new UsageError('Red Hat family foundations need --include with the packages to install (e.g. bash,rpm,dnf)');
  const partitionTable = raw.partitionTable === 'none' ? 'none' : 'gpt';
  // Red Hat family boot loaders (grub2, shim, dracut) are not built yet: those foundations are root file systems.
  const bootable = os === 'debian' && raw.minimal !== true;
  if (bootable && partitionTable === 'none') throw new UsageError('a bootable image needs a partition table: drop --partition-table none, or add --minimal');
  if (bootable && sizeBytes < MIN_BOOTABLE_SIZE)
    throw new InvalidInputError('--size', 'a bootable image (kernel, GRUB, 128M of boot partitions) needs at least 1G; or add --minimal');
  const insecureRepo = raw.insecureRepo === true;
  if (raw.keyring !== undefined && !isAbsolute(String(raw.keyring))) throw new InvalidInputError('--keyring', 'give an absolute path');
  if (os === 'redhat' && raw.keyring === undefined && !insecureRepo) {
    throw new UsageError("Red Hat family foundations check every package's signature: give --keyring with the repository's GPG key file (RPM-GPG-KEY-…)", {
      suggestions: ['or pass --insecure-repo to install unsigned packages (the image records that it was built so)'],
    });
  }
  const keyring: KeyringChoice = raw.keyring !== undefined ? { file: String(raw.keyring) } : hostArchiveKeyring();
  return {
    name,
    os,
    keyring,
    insecureRepo,
    release,
    source,
    sizeBytes,
    include,
    force: raw.force === true,
    bootable,
    fs: raw.fs === 'xfs' ? 'xfs' : 'ext4',
    partitionTable,
  };
}

/** The host commands a foundation build runs. */
export function foundationTools(options: FoundationOptions): HostTool[] {
  return [
    options.os === 'debian' ? HostTools.debootstrap : HostTools.dnf,
    options.fs === 'xfs' ? HostTools.mkfsXfs : HostTools.mkfsExt4,
    ...(options.partitionTable === 'gpt' ? [HostTools.sfdisk] : []),
    HostTools.losetup,
    HostTools.blkid,
    HostTools.mount,
    HostTools.chroot,
    ...(options.bootable ? [...BOOT_TOOLS, ...CHROOT_DEV_TOOLS] : []),
  ];
}
