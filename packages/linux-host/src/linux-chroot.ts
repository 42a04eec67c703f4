import {
  AminatorError,
  type BakePlan,
  type CommandRunner,
  type MountedVolume,
  type OperatingSystem,
  type PlanContext,
  type PreparedChroot,
  type StepContext,
  z,
} from '@aminator/core';
import { findArchitecture } from './architecture.js';
import { CHROOT_DEV_TOOLS } from './chroot-dev.js';
import { prepareChrootBasics } from './chroot-mounts.js';
import { LinuxErrorCodes } from './errors.js';
import { requireEmulation } from './foreign-architecture.js';
import { HostTools, requireHostTools } from './host-tools.js';
import { Mounter } from './mounter.js';
import { existsInside } from './safe-path.js';

/** Config keys every Linux chroot plugin has (`os.<name>` extends these). */
export const linuxChrootConfigShape = {
  /** How long a busy unmount of a chroot mount is retried before failing with its holders named. */
  unmountRetryMs: z.number().int().min(0).max(600_000).default(15_000),
};

/** What tells one family's root file system from another's. */
export interface FamilyMarker {
  /** A path only this family's roots have. */
  readonly path: string;
  /** The error when it is missing, e.g. "not a Red Hat family root". */
  readonly notThis: string;
  /** Where to go instead. */
  readonly suggestion: string;
}

/**
 * What every Linux distribution's chroot does (the Python Aminator's BaseLinuxDistroPlugin): host tools
 * and root checked in preflight, the family checked by its marker before anything is mounted, /proc,
 * /sys, /dev/pts, /run and a private /dev mounted and resolv.conf copied, all inside the image and each
 * undone in reverse. A family adds how it keeps services from starting and the environment its
 * package manager needs.
 */
export abstract class LinuxChroot implements OperatingSystem {
  abstract readonly family: string;
  protected abstract readonly marker: FamilyMarker;
  protected readonly mounter: Mounter;

  constructor(
    protected readonly config: { readonly unmountRetryMs: number },
    protected readonly commands: CommandRunner,
  ) {
    this.mounter = new Mounter(commands);
  }

  async preflight(plan: BakePlan, ctx: PlanContext): Promise<void> {
    requireHostTools([HostTools.chroot, HostTools.mount, ...CHROOT_DEV_TOOLS], { needsRoot: !ctx.dryRun });
    // The chroot runs the image's programs: one built for another architecture needs the kernel's
    // emulation. An architecture aminate has no row for (i386 on x86_64, say) is left to the chroot.
    const arch = plan.baseImage.architecture === undefined ? undefined : findArchitecture(plan.baseImage.architecture);
    const handler = arch && requireEmulation(arch);
    if (arch && handler) ctx.log.info(`the base image is ${arch.machine}: its programs run through ${handler.interpreter} (binfmt_misc ${handler.name})`);
  }

  describePlan(): readonly string[] {
    return [
      `os ${this.family}: mount /proc /sys /dev/pts /run and a private /dev (the image's own devices only) in the chroot, copy resolv.conf, ${this.servicePolicy()}`,
    ];
  }

  async prepareChroot(volume: MountedVolume, ctx: StepContext): Promise<PreparedChroot> {
    if (!existsInside(volume.root, this.marker.path)) {
      throw new AminatorError(`${volume.root} has no ${this.marker.path}: ${this.marker.notThis}`, {
        code: LinuxErrorCodes.OS_MISMATCH,
        suggestions: [this.marker.suggestion],
      });
    }
    await prepareChrootBasics(volume.root, this.mounter, ctx, {
      unmountRetryMs: this.config.unmountRetryMs,
      blockDevices: [volume.device],
      commands: this.commands,
    });
    await this.keepServicesDown(volume.root, ctx);
    return { root: volume.root, family: this.family, env: this.environment() };
  }

  /** The plan's words for how services are kept from starting. */
  protected abstract servicePolicy(): string;
  /** Keep package scripts from starting services in the chroot (undone with the rest). */
  protected abstract keepServicesDown(root: string, ctx: StepContext): Promise<void>;
  /** Environment for commands in the chroot. */
  protected abstract environment(): Record<string, string>;
}
