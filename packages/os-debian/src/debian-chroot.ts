import { COMMAND_RUNNER, type CommandRunner, inject, injectable, OS_CONFIG, type StepContext } from '@aminator/core';
import { LinuxChroot, overrideFile } from '@aminator/linux-host';
import type { DebianConfig } from './debian-config.js';
import { DebianFoundation } from './debian-foundation.js';

/** invoke-rc.d asks this script whether to start a service; 101 means "no". */
export const POLICY_RC_D = '#!/bin/sh\n# Written by aminate while the image is baked: services do not start in the chroot.\nexit 101\n';

/** A Debian/Ubuntu chroot: linux-host's chroot, and policy-rc.d stopping services from starting; and Debian foundations. */
@injectable()
export class DebianChroot extends LinuxChroot {
  readonly family = 'debian';
  protected readonly marker = {
    path: '/etc/debian_version',
    notThis: 'not a Debian or Ubuntu root',
    suggestion: 'for Red Hat family images use an environment with os redhat, e.g. -e local_yum_linux',
  };

  readonly foundation: DebianFoundation;

  constructor(@inject(OS_CONFIG) config: DebianConfig, @inject(COMMAND_RUNNER) commands: CommandRunner) {
    super(config, commands);
    this.foundation = new DebianFoundation(commands);
  }

  protected servicePolicy(): string {
    return 'keep services from starting (policy-rc.d)';
  }

  protected async keepServicesDown(root: string, ctx: StepContext): Promise<void> {
    await overrideFile(root, '/usr/sbin/policy-rc.d', POLICY_RC_D, { mode: 0o755 }, ctx);
  }

  protected environment(): Record<string, string> {
    return { DEBIAN_FRONTEND: 'noninteractive', DEBCONF_NONINTERACTIVE_SEEN: 'true' };
  }
}
