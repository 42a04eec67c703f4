import { definePlugin, FINALIZER, PLUGIN_API_VERSION } from '@aminator/core';
import { finalizerConfigSchema } from './finalizer-config.js';
import { LocalFinalizer } from './local-finalizer.js';

export { parseTags, timestampSuffix } from '@aminator/core';
export { type FinalizerConfig, finalizerConfigSchema } from './finalizer-config.js';
export { LocalFinalizer } from './local-finalizer.js';

export default definePlugin({
  kind: 'finalizer',
  name: 'local',
  apiVersion: PLUGIN_API_VERSION,
  summary: 'Registers the baked volume as an image in the local store, named and tagged',
  configSchema: finalizerConfigSchema,
  options: [
    { flag: 'suffix', key: 'suffix', type: 'string', valueName: 'text', description: 'image name suffix (default UTC YYYYMMDDHHmm)' },
    { flag: 'force', key: 'force', type: 'boolean', description: 'replace an image that has the same name' },
    { flag: 'tag', key: 'tags', type: 'list', valueName: 'key=value', description: 'add a tag (repeatable)' },
    { flag: 'creator', key: 'creator', type: 'string', valueName: 'name', description: 'creator tag (default user@host)' },
    { flag: 'description', key: 'description', type: 'string', valueName: 'text', description: 'image description' },
  ],
  register(container) {
    container.register(FINALIZER, { useClass: LocalFinalizer });
  },
});
