import { dirname, isAbsolute, resolve } from 'node:path';
import {
  builtinPlugins,
  type ConfigLayer,
  type CoreConfig,
  type DiscoveryResult,
  discoverPlugins,
  loadConfigFiles,
  type MergedConfig,
  mergeLayers,
  PathTrust,
  pluginSearchPaths,
  sourceOf,
  validateCoreConfig,
} from '@aminator/core/host';
import { cliPackageDir } from './cli-paths.js';
import type { GlobalFlags } from './global-flags.js';

/** What every command starts from: config files, core settings and discovered plugins. */
export interface Session {
  readonly flags: GlobalFlags;
  readonly cwd: string;
  readonly fileLayers: readonly ConfigLayer[];
  readonly merged: MergedConfig;
  readonly core: CoreConfig;
  readonly discovery: DiscoveryResult;
  readonly searchPaths: readonly string[];
}

export async function openSession(flags: GlobalFlags, cwd = process.cwd()): Promise<Session> {
  const trust = new PathTrust();
  const fileLayers = await loadConfigFiles({ cwd, configFile: flags.config, trust });
  const merged = mergeLayers(fileLayers);
  const core = validateCoreConfig(merged);
  const searchPaths = pluginSearchPaths({ cliDir: cliPackageDir(), projectDir: cwd });
  const pluginPaths = resolvePluginPaths(core.pluginPaths, sourceOf(merged, 'pluginPaths'), cwd);
  const found = discoverPlugins({ searchPaths, pluginPaths, trust });
  const discovery: DiscoveryResult = { ...found, plugins: [...builtinPlugins(), ...found.plugins] };
  return { flags, cwd, fileLayers, merged, core, discovery, searchPaths };
}

/** Relative plugin paths are relative to the config file that lists them. */
function resolvePluginPaths(paths: readonly string[], source: string | undefined, cwd: string): string[] {
  const base = source && isAbsolute(source) ? dirname(source) : cwd;
  return paths.map((p) => resolve(base, p));
}
