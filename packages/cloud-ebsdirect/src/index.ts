import { BASE_IMAGE_OPTIONS, registerDirectVolumes, registerEc2Session } from '@aminator/aws-ec2';
import { CLOUD, definePlugin, PLUGIN_API_VERSION } from '@aminator/core';
import { EbsDirectCloud } from './ebsdirect-cloud.js';
import { ebsDirectConfigSchema } from './ebsdirect-config.js';

export { EbsDirectCloud } from './ebsdirect-cloud.js';
export { type EbsDirectConfig, ebsDirectConfigSchema } from './ebsdirect-config.js';

export default definePlugin({
  kind: 'cloud',
  name: 'ebsdirect',
  apiVersion: PLUGIN_API_VERSION,
  summary: "No instance: the base AMI's root snapshot read once with EBS direct into a local cache, baked on a loop device",
  configSchema: ebsDirectConfigSchema,
  options: [
    ...BASE_IMAGE_OPTIONS,
    {
      flag: 'volume-size',
      key: 'volumeSize',
      type: 'number',
      valueName: 'GiB',
      description: 'size of the new snapshot (default: the base root size; larger grows the file system)',
    },
    { flag: 'cache-dir', key: 'cacheDir', type: 'string', valueName: 'dir', description: 'where base snapshots are cached', cleanup: true },
    {
      flag: 'cache-max-gib',
      key: 'cacheMaxGiB',
      type: 'number',
      valueName: 'GiB',
      description: 'cached blocks kept; the bases used longest ago go past it (default 20)',
    },
    { flag: 'concurrency', key: 'concurrency', type: 'number', valueName: 'n', description: 'blocks fetched at once (default 16)' },
    { flag: 'encrypted', key: 'encrypted', type: 'boolean', description: "encrypt the account's copy of a public base snapshot" },
    { flag: 'kms-key-id', key: 'kmsKeyId', type: 'string', valueName: 'key', description: 'KMS key for that copy' },
  ],
  register(container) {
    registerEc2Session(container);
    registerDirectVolumes(container);
    container.register(CLOUD, { useClass: EbsDirectCloud });
  },
});
