import { logMetricsPlugin } from '../builtin/log-metrics-plugin.js';
import type { PluginModule } from '../interfaces/plugin-module.js';
import type { DiscoveredPlugin } from './discovery-types.js';
import { currentLoadHost } from './load-host.js';

const BUILTIN_MODULES: readonly PluginModule[] = [logMetricsPlugin as PluginModule];

/** Plugins that ship inside @aminator/core, listed like discovered ones. */
export function builtinPlugins(): DiscoveredPlugin[] {
  const host = currentLoadHost();
  return BUILTIN_MODULES.map((module) => ({
    kind: module.kind, name: module.name, apiVersion: module.apiVersion,
    packageName: '@aminator/core', version: host.coreVersion, path: host.coreDir, foundIn: 'builtin',
    manifest: { kind: module.kind, name: module.name, apiVersion: module.apiVersion },
    packageJson: {}, builtin: module,
  }));
}
