import { definePlugin, FINALIZER, PLUGIN_API_VERSION } from '@aminator/core';
import { ebsConfigSchema } from './ebs-config.js';
import { EbsFinalizer } from './ebs-finalizer.js';

export { amiName } from './ami-name.js';
export { imageMappings } from './block-device-mappings.js';
export { type EbsConfig, ebsConfigSchema } from './ebs-config.js';
export { EbsFinalizer } from './ebs-finalizer.js';
export { launchPermissions } from './launch-permissions.js';

export default definePlugin({
  kind: 'finalizer',
  name: 'ebs',
  apiVersion: PLUGIN_API_VERSION,
  summary: 'Snapshot the volume and register the AMI: tags, launch permissions, copies to other regions, deprecation',
  configSchema: ebsConfigSchema,
  options: [
    { flag: 'suffix', key: 'suffix', type: 'string', valueName: 'text', description: 'image name suffix (default UTC YYYYMMDDHHmm)' },
    { flag: 'force-deregister', key: 'forceDeregister', type: 'boolean', description: 'deregister an image of ours with the same name first' },
    { flag: 'tag', key: 'tags', type: 'list', valueName: 'key=value', description: 'tag image and snapshot (repeatable)' },
    { flag: 'creator', key: 'creator', type: 'string', valueName: 'name', description: 'creator tag (default user@host)' },
    { flag: 'description', key: 'description', type: 'string', valueName: 'text', description: 'image description' },
    { flag: 'ena', key: 'ena', type: 'boolean', description: 'mark the image ENA-enabled (default: as the base)' },
    { flag: 'sriov', key: 'sriov', type: 'boolean', description: 'mark the image for SR-IOV networking' },
    { flag: 'boot-mode', key: 'bootMode', type: 'string', valueName: 'mode', description: 'legacy-bios, uefi or uefi-preferred (default: as the base)' },
    { flag: 'tpm', key: 'tpm', type: 'boolean', description: 'NitroTPM v2.0 support' },
    {
      flag: 'share-with',
      key: 'shareWith',
      type: 'list',
      valueName: 'account|arn',
      description: 'launch permission for an account, organization or OU (repeatable)',
    },
    { flag: 'copy-to-region', key: 'copyToRegions', type: 'list', valueName: 'region', description: 'copy the image to this region (repeatable)' },
    { flag: 'deprecate-at', key: 'deprecateAt', type: 'string', valueName: 'time', description: 'deprecate the image (and copies) at this ISO 8601 time' },
  ],
  register(container) {
    container.register(FINALIZER, { useClass: EbsFinalizer });
  },
});
