import { definePlugin, PLUGIN_API_VERSION, PROVISIONER } from '@aminator/core';
import { yumConfigSchema } from './yum-config.js';
import { YumProvisioner } from './yum-provisioner.js';

export { type YumConfig, yumConfigSchema } from './yum-config.js';
export { YumProvisioner } from './yum-provisioner.js';

export default definePlugin({
  kind: 'provisioner',
  name: 'yum',
  apiVersion: PLUGIN_API_VERSION,
  summary: 'dnf/yum install of a repository package, a local .rpm or an http(s) URL',
  configSchema: yumConfigSchema,
  options: [
    { flag: 'releasever', key: 'releasever', type: 'string', valueName: 'version', description: 'release version for dnf/yum when the image cannot tell' },
    { flag: 'install-weak-deps', key: 'installWeakDeps', type: 'boolean', description: 'install weak dependencies too' },
  ],
  register(container) {
    container.register(PROVISIONER, { useClass: YumProvisioner });
  },
});
