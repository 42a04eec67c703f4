import { definePlugin, FINALIZER, IMAGE_NAMING_OPTIONS, PLUGIN_API_VERSION } from '@aminator/core';
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
  options: IMAGE_NAMING_OPTIONS,
  register(container) {
    container.register(FINALIZER, { useClass: LocalFinalizer });
  },
});
