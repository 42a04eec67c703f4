import { definePlugin, PROVISIONER } from '@aminator/core';
import { scriptConfigSchema } from './script-config.js';
import { ScriptProvisioner } from './script-provisioner.js';

export { type ScriptConfig, scriptConfigSchema } from './script-config.js';
export { ScriptProvisioner } from './script-provisioner.js';

export default definePlugin({
  kind: 'provisioner',
  name: 'script',
  apiVersion: 2,
  summary: 'Runs your shell script inside the chroot',
  configSchema: scriptConfigSchema,
  options: [
    { flag: 'script-interpreter', key: 'interpreter', type: 'string', valueName: 'path', description: 'interpreter inside the image (default /bin/sh)' },
    { flag: 'script-version', key: 'version', type: 'string', valueName: 'version', description: 'version to name and tag the image with' },
    { flag: 'script-release', key: 'release', type: 'string', valueName: 'release', description: 'release to name and tag the image with' },
    { flag: 'script-timeout', key: 'timeoutSec', type: 'number', valueName: 'seconds', description: 'kill the script after this long' },
  ],
  register(container) {
    container.register(PROVISIONER, { useClass: ScriptProvisioner });
  },
});
