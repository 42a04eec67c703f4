import {
  assertPairings,
  type DiscoveredPlugin,
  type EnvironmentKinds,
  type LoadedPlugin,
  loadPlugin,
  OPTIONAL_PLUGIN_KINDS,
  REQUIRED_PLUGIN_KINDS,
  type SelectedEnvironment,
  selectEnvironment,
  selectPlugin,
} from '@aminator/core/host';
import type { Session } from '../cli/session.js';
import { sharedModulesHost } from '../cli/shared-modules.js';

export type EnvironmentPlugins = EnvironmentKinds<LoadedPlugin>;

/**
 * The selected environment and its plugins, imported and checked (all but `register`). An optional
 * kind the environment names (the verifier) is loaded when it is installed; `--verify` without it
 * is refused by the bake.
 */
export async function loadEnvironment(session: Session, requested?: string): Promise<{ env: SelectedEnvironment; plugins: EnvironmentPlugins }> {
  const env = selectEnvironment(session.core, requested);
  const host = await sharedModulesHost(session.discovery.plugins);
  const selected: DiscoveredPlugin[] = REQUIRED_PLUGIN_KINDS.map((kind) => selectPlugin(session.discovery, kind, env.plugins[kind]));
  for (const kind of OPTIONAL_PLUGIN_KINDS) {
    const name = env.plugins[kind];
    const found = name ? session.discovery.plugins.find((p) => p.kind === kind && p.name === name) : undefined;
    if (found) selected.push(selectPlugin(session.discovery, kind, found.name));
  }
  assertPairings(env.name, env.plugins, selected);
  const loaded = await Promise.all(selected.map((plugin) => loadPlugin(plugin, host)));
  return { env, plugins: Object.fromEntries(loaded.map((l) => [l.plugin.kind, l])) as unknown as EnvironmentPlugins };
}
