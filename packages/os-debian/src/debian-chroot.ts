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
import type { DebianConfig } from './debian-config.js';

/** invoke-rc.d asks this script whether to start a service; 101 means "no". */
export const POLICY_RC_D = '#!/bin/sh\n# Written by aminate while the image is baked: services do not start in the chroot.\nexit 101\n';

/**
 * A Debian/Ubuntu chroot: /proc, /sys, /dev, /dev/pts and a fresh /run mounted, the host's
 * resolv.conf in place of the image's, and policy-rc.d stopping services from starting — all inside
 * the image, each undone in reverse.
 */
@injectable()
export class DebianChroot implements OperatingSystem {
  readonly family = 'debian';
  private readonly mounter: Mounter;

  constructor(
    @inject(OS_CONFIG) private readonly config: DebianConfig,
    @inject(COMMAND_RUNNER) private readonly commands: CommandRunner,
  ) {
    this.mounter = new Mounter(commands);
  }

  async preflight(_plan: BakePlan, ctx: PlanContext): Promise<void> {
    requireHostTools([HostTools.chroot, HostTools.mount, ...CHROOT_DEV_TOOLS], { needsRoot: !ctx.dryRun });
  }

  describePlan(): readonly string[] {
    return [
      "os debian: mount /proc /sys /dev/pts /run and a private /dev (the image's own devices only) in the chroot, copy resolv.conf, keep services from starting (policy-rc.d)",
    ];
  }

  async prepareChroot(volume: MountedVolume, ctx: StepContext): Promise<PreparedChroot> {
    if (!existsInside(volume.root, '/etc/debian_version')) {
      throw new AminatorError(`${volume.root} does not look like a Debian or Ubuntu root (no /etc/debian_version)`, {
        code: LinuxErrorCodes.OS_MISMATCH,
        suggestions: ['for Red Hat family images use an environment with os redhat, e.g. -e local_yum_linux'],
      });
    }
    await prepareChrootBasics(volume.root, this.mounter, ctx, {
      unmountRetryMs: this.config.unmountRetryMs,
      blockDevices: [volume.device],
      commands: this.commands,
    });
    await overrideFile(volume.root, '/usr/sbin/policy-rc.d', POLICY_RC_D, { mode: 0o755 }, ctx);
    return { root: volume.root, family: this.family, env: { DEBIAN_FRONTEND: 'noninteractive', DEBCONF_NONINTERACTIVE_SEEN: 'true' } };
  }
}
