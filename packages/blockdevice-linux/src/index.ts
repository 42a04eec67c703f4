import { BLOCK_DEVICE, definePlugin, PLUGIN_API_VERSION } from '@aminator/core';
import { blockDeviceConfigSchema } from './blockdevice-config.js';
import { LinuxBlockDevices } from './linux-block-devices.js';

export { type BlockDeviceConfig, blockDeviceConfigSchema } from './blockdevice-config.js';
export { nvmeLink, twinName } from './device-names.js';
export { LinuxBlockDevices } from './linux-block-devices.js';

export default definePlugin({
  kind: 'blockdevice',
  name: 'linux',
  apiVersion: PLUGIN_API_VERSION,
  summary: 'Free /dev/sd[f-p] names under host-wide locks; finds sd, xvd and NVMe nodes',
  configSchema: blockDeviceConfigSchema,
  options: [
    { flag: 'block-device', key: 'device', type: 'string', valueName: 'path', description: 'use this device verbatim instead of allocating one' },
    { flag: 'device-prefix', key: 'prefix', type: 'string', valueName: 'sd|xvd', description: 'name prefix to ask the cloud for (default sd)' },
  ],
  register(container) {
    container.register(BLOCK_DEVICE, { useClass: LinuxBlockDevices });
  },
});
