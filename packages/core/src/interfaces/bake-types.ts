import type { ImageContents } from './package-inventory.js';
import type { BootMode } from './verifier.js';
/** Tags as a cloud stores them: string keys to string values. */
export type Tags = Readonly<Record<string, string>>;

/** The image a bake starts from, as the cloud plugin resolved it. */
export interface BaseImage {
  /** Cloud-wide id, e.g. `ami-0abc…` or `img-1f2e…`. */
  readonly id: string;
  readonly name: string;
  /** Account or owner the image was resolved under, when the cloud has owners. */
  readonly owner?: string;
  /** Region or store the image lives in, for display and tags. */
  readonly location?: string;
  /** Size of the root volume in bytes. */
  readonly sizeBytes: number;
  /** CPU architecture (`x86_64`, `arm64`), when the cloud knows it. */
  readonly architecture?: string;
  readonly description?: string;
  readonly tags: Tags;
  /** Firmware the image boots under, preferred first, when the cloud records it; empty: it does not boot. */
  readonly bootModes?: readonly BootMode[];
}

/** A working volume made from the base image; the bake installs into it. */
export interface CloudVolume {
  readonly id: string;
  readonly sizeBytes: number;
  /** Id of the base image it was made from. */
  readonly baseImageId: string;
}

/** A working volume attached to this host, its block device node there. */
export interface Attachment {
  readonly volumeId: string;
  /** The whole-disk node on this host: a loop device, `/dev/xvdf`, an NVMe volume's by-id link. */
  readonly device: string;
}

/** The root file system of the working volume, mounted on this host. */
export interface MountedVolume {
  /** Mount point of the root file system: the chroot's root. */
  readonly root: string;
  /** Block device the file system lives on (whole disk or partition node). */
  readonly device: string;
  readonly fsType: string;
  /** Partition number, when the root file system is on a partition. */
  readonly partition?: number;
}

/** A chroot ready for the provisioner. */
export interface PreparedChroot {
  readonly root: string;
  /** OS family that prepared it, e.g. `debian`, `redhat`. */
  readonly family: string;
  /** Environment the provisioner should run commands with inside the chroot. */
  readonly env: Readonly<Record<string, string>>;
}

/** What the user asked to install, validated by the provisioner before anything runs. */
export interface PackageSpec {
  /** The text as the user gave it. */
  readonly raw: string;
  readonly source: 'repository' | 'file' | 'url';
  /** Package name, when it is known before installing. */
  readonly name?: string;
  /** Version pin or version read from a local file. */
  readonly version?: string;
}

/** The package as installed in the image, read back from the package database. */
export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
}

/** The registered image: the result of a bake. */
export interface ImageResult {
  readonly id: string;
  readonly name: string;
  /** Cloud plugin name, e.g. `ec2`, `local`. */
  readonly cloud: string;
  /** Region, or the store directory for the local cloud. */
  readonly region: string;
  readonly tags: Tags;
  /** Further images made by distribution (copies in other regions). */
  readonly copies?: ReadonlyArray<{ readonly id: string; readonly region: string }>;
  /** What the image holds (package count, the bake's delta, its SBOM documents), when the finalizer records it. */
  readonly contents?: ImageContents;
}
