import {
  AminatorError,
  type BakePlan,
  COMMAND_RUNNER,
  type CommandRunner,
  type MountedVolume,
  type OperatingSystem,
  OS_CONFIG,
  type PlanContext,
  type PreparedChroot,
  type StepContext,
} from '@aminator/core';
import { CHROOT_DEV_TOOLS, existsInside, HostTools, LinuxErrorCodes, Mounter, overrideFile, prepareChrootBasics, requireHostTools } from '@aminator/linux-host';
import { inject, injectable } from 'tsyringe';
import type { RedhatConfig } from './redhat-config.js';

/** What `systemctl`/`service` become while the image is baked. */
export const SERVICE_DIVERSION =
  '#!/bin/sh\n# Written by aminate while the image is baked: services do not start in the chroot.\necho "aminate: not running $(basename "$0") $* in the chroot" >&2\nexit 0\n';

/**
 * A Red Hat family chroot: the same mounts and resolv.conf as Debian, and `systemctl`/`service`
 * diverted to a no-op so that package scriptlets start no services — inside the image only, undone.
 */
@injectable()
export class RedhatChroot implements OperatingSystem {
  readonly family = 'redhat';
  private readonly mounter: Mounter;

  constructor(
    @inject(OS_CONFIG) private readonly config: RedhatConfig,
    @inject(COMMAND_RUNNER) private readonly commands: CommandRunner,
  ) {
    this.mounter = new Mounter(commands);
  }

  async preflight(_plan: BakePlan, ctx: PlanContext): Promise<void> {
    requireHostTools([HostTools.chroot, HostTools.mount, ...CHROOT_DEV_TOOLS], { needsRoot: !ctx.dryRun });
  }

  describePlan(): readonly string[] {
    return [
      `os redhat: mount /proc /sys /dev/pts /run and a private /dev (the image's own devices only) in the chroot, copy resolv.conf, divert ${this.config.divert.join(', ')}`,
    ];
  }

  async prepareChroot(volume: MountedVolume, ctx: StepContext): Promise<PreparedChroot> {
    if (!existsInside(volume.root, '/usr/bin/rpm')) {
      throw new AminatorError(`${volume.root} has no /usr/bin/rpm: not a Red Hat family root`, {
        code: LinuxErrorCodes.OS_MISMATCH,
        suggestions: ['for Debian or Ubuntu images use an environment with os debian, e.g. -e local_apt_linux'],
      });
    }
    await prepareChrootBasics(volume.root, this.mounter, ctx, {
      unmountRetryMs: this.config.unmountRetryMs,
      blockDevices: [volume.device],
      commands: this.commands,
    });
    for (const program of this.config.divert) {
      // A link (systemctl → ../lib/systemd/…) is moved aside like a file, never written through.
      if (existsInside(volume.root, program)) await overrideFile(volume.root, program, SERVICE_DIVERSION, { mode: 0o755, leafMayBeLink: true }, ctx);
    }
    return { root: volume.root, family: this.family, env: { SYSTEMD_OFFLINE: '1' } };
  }
}
