import { AMI_OPTIONS, amisCommand, registerDirectVolumes, registerEc2Session } from '@aminator/aws-ec2';
import { definePlugin, FINALIZER, PLUGIN_API_VERSION } from '@aminator/core';
import { EbsDirectFinalizer } from './ebsdirect-finalizer.js';
import { ebsDirectFinalizerConfigSchema } from './ebsdirect-finalizer-config.js';

export { EbsDirectFinalizer } from './ebsdirect-finalizer.js';
export { type EbsDirectFinalizerConfig, ebsDirectFinalizerConfigSchema } from './ebsdirect-finalizer-config.js';

export default definePlugin({
  kind: 'finalizer',
  name: 'ebsdirect',
  apiVersion: PLUGIN_API_VERSION,
  summary: 'Write only the changed blocks as a snapshot whose parent is the base (EBS direct), then register the AMI',
  configSchema: ebsDirectFinalizerConfigSchema,
  options: [
    ...AMI_OPTIONS,
    { flag: 'upload-concurrency', key: 'concurrency', type: 'number', valueName: 'n', description: 'blocks written at once (default 16)' },
  ],
  commands: [amisCommand],
  register(container) {
    registerEc2Session(container);
    registerDirectVolumes(container);
    container.register(FINALIZER, { useClass: EbsDirectFinalizer });
  },
});
