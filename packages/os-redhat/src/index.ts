import { definePlugin, OS, PLUGIN_API_VERSION } from '@aminator/core';
import { RedhatChroot } from './redhat-chroot.js';
import { redhatConfigSchema } from './redhat-config.js';

export { RedhatChroot, SERVICE_DIVERSION } from './redhat-chroot.js';
export { type RedhatConfig, redhatConfigSchema } from './redhat-config.js';
export { RedhatFoundation } from './redhat-foundation.js';

export default definePlugin({
  kind: 'os',
  name: 'redhat',
  apiVersion: PLUGIN_API_VERSION,
  summary: 'Red Hat family chroot: pseudo file systems, resolv.conf, systemctl/service diverted',
  configSchema: redhatConfigSchema,
  register(container) {
    container.register(OS, { useClass: RedhatChroot });
  },
});
