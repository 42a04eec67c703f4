import {
  currentLoadHost, loadPlugin, PLUGIN_KINDS, selectEnvironment, selectPlugin,
  type LoadedPlugin, type PluginKind, type SelectedEnvironment,
} from '@aminator/core/host';
import type { Session } from '../cli/session.js';

export type EnvironmentPlugins = Readonly<Record<PluginKind, LoadedPlugin>>;

/** The selected environment and its plugins, imported and checked (all but `register`). */
export async function loadEnvironment(session: Session, requested?: string): Promise<{ env: SelectedEnvironment; plugins: EnvironmentPlugins }> {
  const env = selectEnvironment(session.core, requested);
  const host = currentLoadHost();
  const selected = PLUGIN_KINDS.map((kind) => selectPlugin(session.discovery, kind, env.plugins[kind]));
  const loaded = await Promise.all(selected.map((plugin) => loadPlugin(plugin, host)));
  return { env, plugins: Object.fromEntries(loaded.map((l) => [l.plugin.kind, l])) as Record<PluginKind, LoadedPlugin> };
}
