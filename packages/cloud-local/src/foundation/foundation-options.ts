import { InvalidInputError, UsageError } from '@aminator/core';
import { type Architecture, CHROOT_DEV_TOOLS, type HostTool, HostTools, requestedArchitecture } from '@aminator/linux-host';
import { IMAGE_NAME, parseSize } from '@aminator/local-store';

/** What `aminate foundation` decides itself: the disk and where the image goes. What goes on it is the OS plugin's. */
export interface FoundationOptions {
  readonly name: string;
  /** The OS plugin asked for the foundation (`--os`): `debian`, `redhat`, or a third party's. */
  readonly os: string;
  readonly sizeBytes: number;
  readonly fs: 'ext4' | 'xfs';
  readonly partitionTable: 'gpt' | 'none';
  readonly force: boolean;
  /** `--minimal`: a root file system only, even when the OS's foundations can boot. */
  readonly minimal: boolean;
  /** `--arch`, else the host's. */
  readonly architecture: Architecture;
}

const OS_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const MIN_SIZE = 512 * 1024 ** 2;
const MIN_BOOTABLE_SIZE = 1024 ** 3;

/** Validate what the builder itself takes before anything is created. */
export function foundationOptions(raw: Readonly<Record<string, unknown>>): FoundationOptions {
  const name = String(raw.name ?? '');
  if (!IMAGE_NAME.test(name)) throw new InvalidInputError('--name', `"${name}" is not a valid image name (letters, digits, . _ + ~ ( ) -)`);
  const os = String(raw.os ?? 'debian');
  if (!OS_NAME.test(os)) throw new InvalidInputError('--os', `"${os}" is not the name of an os plugin`);
  const sizeBytes = parseSize('--size', String(raw.size ?? '2G'));
  if (sizeBytes < MIN_SIZE) throw new InvalidInputError('--size', 'must be at least 512M');
  return {
    name,
    os,
    sizeBytes,
    fs: raw.fs === 'xfs' ? 'xfs' : 'ext4',
    partitionTable: raw.partitionTable === 'none' ? 'none' : 'gpt',
    force: raw.force === true,
    minimal: raw.minimal === true,
    architecture: requestedArchitecture(raw.arch),
  };
}

/** The disk's own rules once it is known whether the image boots. */
export function checkBootableDisk(options: FoundationOptions, bootable: boolean): void {
  if (!bootable) return;
  if (options.partitionTable === 'none') throw new UsageError('a bootable image needs a partition table: drop --partition-table none, or add --minimal');
  if (options.sizeBytes < MIN_BOOTABLE_SIZE)
    throw new InvalidInputError('--size', 'a bootable image (kernel, boot loader, its partitions) needs at least 1G; or add --minimal');
}

/** The host commands the builder runs itself (the OS plugin checks its own). */
export function foundationTools(options: FoundationOptions, bootable: boolean): HostTool[] {
  return [
    options.fs === 'xfs' ? HostTools.mkfsXfs : HostTools.mkfsExt4,
    ...(options.partitionTable === 'gpt' ? [HostTools.sfdisk] : []),
    HostTools.losetup,
    HostTools.blkid,
    HostTools.mount,
    HostTools.chroot,
    HostTools.sync,
    HostTools.fstrim,
    ...(bootable ? CHROOT_DEV_TOOLS : []),
  ];
}
