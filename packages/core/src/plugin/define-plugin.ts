import type { PluginModule } from '../interfaces/plugin-module.js';
import type { PluginKind } from './plugin-kinds.js';

/**
 * Identity function that lets TypeScript infer the config type of `register` from `configSchema`.
 * `export default definePlugin({ kind: 'provisioner', … })` is the same as `… satisfies PluginModule`.
 */
export function definePlugin<K extends PluginKind, C>(module: PluginModule<K, C>): PluginModule<K, C> {
  return module;
}
