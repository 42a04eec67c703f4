import { AMI_OPTIONS, amisCommand, registerEc2Session } from '@aminator/aws-ec2';
import { definePlugin, FINALIZER, PLUGIN_API_VERSION } from '@aminator/core';
import { ebsConfigSchema } from './ebs-config.js';
import { EbsFinalizer } from './ebs-finalizer.js';

export { type EbsConfig, ebsConfigSchema } from './ebs-config.js';
export { EbsFinalizer } from './ebs-finalizer.js';

export default definePlugin({
  kind: 'finalizer',
  name: 'ebs',
  apiVersion: PLUGIN_API_VERSION,
  summary: 'Snapshot the volume and register the AMI: tags, launch permissions, copies to other regions, deprecation',
  configSchema: ebsConfigSchema,
  options: AMI_OPTIONS,
  commands: [amisCommand],
  register(container) {
    registerEc2Session(container);
    container.register(FINALIZER, { useClass: EbsFinalizer });
  },
});
