import { CLOUD, CLOUD_CONFIG, definePlugin, instanceCachingFactory, PLUGIN_API_VERSION } from '@aminator/core';
import { LOCAL_STORE, LocalImageStore } from '@aminator/local-store';
import { foundationCommand } from './commands/foundation-command.js';
import { imagesCommand } from './commands/images-command.js';
import { LocalCloud } from './local-cloud.js';
import { type LocalConfig, localConfigSchema } from './local-config.js';

export { LocalCloud, toBaseImage } from './local-cloud.js';
export { DEFAULT_STORE, type LocalConfig, localConfigSchema } from './local-config.js';
export { findStoreLeftovers } from './store-leftovers.js';

export default definePlugin({
  kind: 'cloud',
  name: 'local',
  apiVersion: PLUGIN_API_VERSION,
  summary: 'Images in a local store: sparse raw disks, loop devices; no cloud account',
  configSchema: localConfigSchema,
  options: [
    { flag: 'store', key: 'store', type: 'string', valueName: 'dir', description: 'image store directory (default /var/lib/aminator)', cleanup: true },
    { flag: 'volume-size', key: 'volumeSize', type: 'string', valueName: 'size', description: "working volume size, e.g. 4G (default: the base image's)" },
  ],
  commands: [foundationCommand, imagesCommand],
  register(container) {
    container.register(LOCAL_STORE, {
      useFactory: instanceCachingFactory((c) => new LocalImageStore(c.resolve<LocalConfig>(CLOUD_CONFIG).store)),
    });
    container.register(CLOUD, { useClass: LocalCloud });
  },
});
