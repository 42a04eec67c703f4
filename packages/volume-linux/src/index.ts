import { definePlugin, PLUGIN_API_VERSION, VOLUME } from '@aminator/core';
import { hostToolsCommand } from './host-tools-command.js';
import { LinuxVolumes } from './linux-volumes.js';
import { volumeConfigSchema } from './volume-config.js';

export { LinuxVolumes } from './linux-volumes.js';
export { SUPPORTED_FS, type VolumeConfig, volumeConfigSchema } from './volume-config.js';

export default definePlugin({
  kind: 'volume',
  name: 'linux',
  apiVersion: PLUGIN_API_VERSION,
  summary: 'Mounts the root file system (whole disk or partition N), grows it, unmounts it safely',
  configSchema: volumeConfigSchema,
  options: [
    { flag: 'partition', key: 'partition', type: 'number', valueName: 'n', description: 'root partition number (default: detected from the partition table)' },
  ],
  commands: [hostToolsCommand],
  register(container) {
    container.register(VOLUME, { useClass: LinuxVolumes });
  },
});
