import { COMMAND_RUNNER, type CommandRunner, inject, injectable, OS_CONFIG, type StepContext } from '@aminator/core';
import { existsInside, LinuxChroot, overrideFile } from '@aminator/linux-host';
import type { RedhatConfig } from './redhat-config.js';
import { RedhatFoundation } from './redhat-foundation.js';

/** What `systemctl`/`service` become while the image is baked. */
export const SERVICE_DIVERSION =
  '#!/bin/sh\n# Written by aminate while the image is baked: services do not start in the chroot.\necho "aminate: not running $(basename "$0") $* in the chroot" >&2\nexit 0\n';

/** A Red Hat family chroot: linux-host's chroot, and `systemctl`/`service` diverted to a no-op. */
@injectable()
export class RedhatChroot extends LinuxChroot {
  readonly family = 'redhat';
  protected readonly marker = {
    path: '/usr/bin/rpm',
    notThis: 'not a Red Hat family root',
    suggestion: 'for Debian or Ubuntu images use an environment with os debian, e.g. -e local_apt_linux',
  };

  constructor(
    @inject(OS_CONFIG) private readonly redhat: RedhatConfig,
    @inject(COMMAND_RUNNER) commands: CommandRunner,
  ) {
    super(redhat, commands);
    this.foundation = new RedhatFoundation(commands);
  }

  readonly foundation: RedhatFoundation;

  protected servicePolicy(): string {
    return `divert ${this.redhat.divert.join(', ')}`;
  }

  protected async keepServicesDown(root: string, ctx: StepContext): Promise<void> {
    for (const program of this.redhat.divert) {
      // A link (systemctl → ../lib/systemd/…) is moved aside like a file, never written through.
      if (existsInside(root, program)) await overrideFile(root, program, SERVICE_DIVERSION, { mode: 0o755, leafMayBeLink: true }, ctx);
    }
  }

  protected environment(): Record<string, string> {
    return { SYSTEMD_OFFLINE: '1' };
  }
}
