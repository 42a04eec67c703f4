import { definePlugin, OS, PLUGIN_API_VERSION } from '@aminator/core';
import { DebianChroot } from './debian-chroot.js';
import { debianConfigSchema } from './debian-config.js';

export { BOOT_LAYOUT, type DebianBootTarget, debianBootLayout, debianBootPackages, debianBootTarget } from './debian-boot-loader.js';
export { DebianChroot, POLICY_RC_D } from './debian-chroot.js';
export { type DebianConfig, debianConfigSchema } from './debian-config.js';
export { DebianFoundation } from './debian-foundation.js';

export default definePlugin({
  kind: 'os',
  name: 'debian',
  apiVersion: PLUGIN_API_VERSION,
  summary: 'Debian/Ubuntu chroot (pseudo file systems, resolv.conf, policy-rc.d) and foundations (debootstrap, GRUB for BIOS and UEFI)',
  configSchema: debianConfigSchema,
  register(container) {
    container.register(OS, { useClass: DebianChroot });
  },
});
