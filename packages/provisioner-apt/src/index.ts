import { definePlugin, PLUGIN_API_VERSION, PROVISIONER } from '@aminator/core';
import { aptConfigSchema } from './apt-config.js';
import { AptProvisioner } from './apt-provisioner.js';

export { type AptConfig, aptConfigSchema } from './apt-config.js';
export { AptProvisioner } from './apt-provisioner.js';
export { splitDebianVersion } from './debian-version.js';

export default definePlugin({
  kind: 'provisioner',
  name: 'apt',
  apiVersion: PLUGIN_API_VERSION,
  summary: 'apt-get install of a repository package, a local .deb or an http(s) URL',
  configSchema: aptConfigSchema,
  options: [
    { flag: 'install-recommends', key: 'installRecommends', type: 'boolean', description: 'install Recommends as well' },
    { flag: 'allow-downgrades', key: 'allowDowngrades', type: 'boolean', description: 'allow a name=version pin older than the installed version' },
    { flag: 'apt-update-attempts', key: 'updateAttempts', type: 'number', valueName: 'n', description: 'apt-get update attempts before failing (default 3)' },
  ],
  register(container) {
    container.register(PROVISIONER, { useClass: AptProvisioner });
  },
});
