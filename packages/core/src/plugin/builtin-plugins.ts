import type { PluginModule } from '../interfaces/plugin-module.js';
import { PLUGIN_API_VERSION } from './api-version.js';
import type { DiscoveredPlugin } from './discovery-types.js';
import { currentLoadHost } from './load-host.js';
import type { PluginKind } from './plugin-kinds.js';

interface Builtin {
  readonly kind: PluginKind;
  readonly name: string;
  readonly apiVersion: number;
  readonly load: () => Promise<PluginModule>;
}

// Metadata here, module loaded on demand: listing plugins must not import the DI machinery.
const BUILTINS: readonly Builtin[] = [
  {
    kind: 'metrics',
    name: 'log',
    apiVersion: PLUGIN_API_VERSION,
    load: async () => (await import('../builtin/log-metrics-plugin.js')).logMetricsPlugin as PluginModule,
  },
];

/** Plugins that ship inside @aminator/core, listed like discovered ones. */
export function builtinPlugins(): DiscoveredPlugin[] {
  const host = currentLoadHost();
  return BUILTINS.map(({ kind, name, apiVersion, load }) => ({
    kind,
    name,
    apiVersion,
    packageName: '@aminator/core',
    version: host.coreVersion,
    path: host.coreDir,
    foundIn: 'builtin',
    manifest: { kind, name, apiVersion },
    packageJson: {},
    builtin: load,
  }));
}
