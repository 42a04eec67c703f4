import type { PackageInventory } from './package-inventory.js';
import type { PlanContext } from './plan-context.js';
import type { StepContext } from './step-context.js';

/**
 * What a foundation build (`aminate foundation`, a command of the local cloud) asks an OS plugin
 * for. The builder owns the disk: the file, the partition table, the file system, fstab, the store;
 * the OS plugin owns what goes on it: where packages come from and how they are checked, installing
 * them into the mounted root, the OS's own files, the architecture, and the boot loader with the
 * partitions it needs.
 */
export interface FoundationRequest {
  /** The new image's name. */
  readonly name: string;
  /** The command's options as given; the OS plugin validates those that are its own (release, source, keyring, packages). */
  readonly options: Readonly<Record<string, unknown>>;
  /** False: a root file system only (`--minimal`): no kernel, no boot loader. */
  readonly bootable: boolean;
  /**
   * The architecture the image is for, as images carry it (`x86_64`, `arm64`): `--arch`, else the
   * host's. An OS plugin that cannot build it refuses in `plan`; one that can checks in `preflight`
   * that this host can run its programs.
   */
  readonly architecture: string;
}

/** The partitions of a bootable disk besides the root, and the root's place on it. */
export interface BootDiskLayout {
  /** sfdisk's script for `disk`: the root partition first (number 1), then what the boot loader needs. */
  sfdiskScript(disk: string): string;
  /** Bytes before the root partition: a bootable image is at least this plus a root. */
  readonly bytesBeforeRoot: number;
}

/** The disk a boot loader is installed on, prepared by the builder. */
export interface BootLoaderInput {
  /** The mounted root, its pseudo file systems and a private /dev showing `diskDevice` and the root's device. */
  readonly root: string;
  readonly rootUuid: string;
  /** The whole disk as a block device. */
  readonly diskDevice: string;
  /** The disk image file (partitions the kernel shows no nodes for are reached through it). */
  readonly diskFile: string;
}

/** One foundation, settled: everything checked that can be before anything is made. */
export interface FoundationPlan {
  /** OS family and release, for the image's manifest and name checks: `debian`, `bookworm`. */
  readonly family: string;
  readonly release: string;
  /** Plan lines (`--dry-run` shows them): where packages come from, how their signatures are checked. */
  readonly lines: readonly string[];
  /** What weakens the image (packages installed unchecked): logged, and recorded in its manifest. */
  readonly warnings: readonly string[];
  /** Present when the image boots: its partition layout and its boot loader. */
  readonly boot?: {
    readonly layout: BootDiskLayout;
    /** The firmware the image boots under (arm64: UEFI only). */
    readonly firmware: { readonly bios: boolean; readonly uefi: boolean };
    /** Files the boot loader and the first boot need, written into the root before `installBootLoader`. */
    readonly files: Readonly<Record<string, string>>;
    installBootLoader(input: BootLoaderInput, ctx: StepContext): Promise<void>;
  };
  /** Host tools, keyrings: what must be on this host. Runs in `plan`, so in `--dry-run` too. */
  preflight(ctx: PlanContext): Promise<void>;
  /** Install the OS into the mounted, empty root (debootstrap, dnf --installroot). */
  install(root: string, ctx: StepContext): Promise<void>;
  /** The OS's own files (package sources), after install; returns the architecture the installed OS reports (`x86_64`, `arm64`). */
  configure(root: string, ctx: StepContext): Promise<{ readonly architecture: string }>;
  /** Optional: the installed packages, read from the root's package database on the host side (the foundation's SBOM). */
  inventory?(root: string, ctx: StepContext): Promise<PackageInventory>;
}

/** The `foundation` capability of an OS plugin. */
export interface FoundationBuilder {
  /** Whether this OS's foundations can boot; when not, every foundation is a root file system (as with `--minimal`). */
  readonly boots: boolean;
  /** Validate the request (a usage error says what is wrong) and settle it. Makes nothing. */
  plan(request: FoundationRequest): FoundationPlan;
}
