import { BASE_IMAGE_OPTIONS, registerEc2Session } from '@aminator/aws-ec2';
import { CLOUD, definePlugin, PLUGIN_API_VERSION } from '@aminator/core';
import { Ec2Cloud } from './ec2-cloud.js';
import { ec2ConfigSchema } from './ec2-config.js';

export { nvmeLink, twinName } from './device-names.js';
export { DeviceSlots, type DeviceSlotsConfig } from './device-slots.js';
export { Ec2Cloud, workingVolumeTags } from './ec2-cloud.js';
export { type Ec2Config, ec2ConfigSchema } from './ec2-config.js';

export default definePlugin({
  kind: 'cloud',
  name: 'ec2',
  apiVersion: PLUGIN_API_VERSION,
  summary: "EBS working volumes from the base AMI's root snapshot, attached to this EC2 instance",
  configSchema: ec2ConfigSchema,
  options: [
    ...BASE_IMAGE_OPTIONS,
    { flag: 'volume-type', key: 'volumeType', type: 'string', valueName: 'type', description: 'working volume type (default gp3)' },
    {
      flag: 'volume-size',
      key: 'volumeSize',
      type: 'number',
      valueName: 'GiB',
      description: 'working volume size (default: the base root size; larger grows the file system)',
    },
    { flag: 'iops', key: 'iops', type: 'number', valueName: 'n', description: 'provisioned IOPS (gp3, io1, io2)' },
    { flag: 'throughput', key: 'throughput', type: 'number', valueName: 'MiB/s', description: 'gp3 throughput' },
    { flag: 'encrypted', key: 'encrypted', type: 'boolean', description: 'encrypt the working volume (and so the snapshot)' },
    { flag: 'kms-key-id', key: 'kmsKeyId', type: 'string', valueName: 'key', description: 'KMS key for encryption' },
    { flag: 'instance-id', key: 'instanceId', type: 'string', valueName: 'id', description: 'this instance (default: from IMDSv2)', cleanup: true },
    {
      flag: 'block-device',
      key: 'device',
      type: 'string',
      valueName: 'path',
      description: 'attach at this device name instead of the first free /dev/sd[f-p]',
    },
    { flag: 'device-prefix', key: 'devicePrefix', type: 'string', valueName: 'sd|xvd', description: 'device name prefix to ask EC2 for (default sd)' },
    { flag: 'availability-zone', key: 'availabilityZone', type: 'string', valueName: 'az', description: "this instance's zone (default: from IMDSv2)" },
  ],
  register(container) {
    registerEc2Session(container);
    container.register(CLOUD, { useClass: Ec2Cloud });
  },
});
