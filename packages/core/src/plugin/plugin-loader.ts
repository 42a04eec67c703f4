import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes } from '../errors/error-codes.js';
import { PluginLoadError } from '../errors/plugin-load-error.js';
import type { PluginModule } from '../interfaces/plugin-module.js';
import { PathTrust } from '../trust/trusted-path.js';
import { MIGRATION_SECTION, RETIRED_PLUGIN_APIS, SUPPORTED_PLUGIN_API_VERSIONS } from './api-version.js';
import type { DiscoveredPlugin } from './discovery-types.js';
import type { LoadHost } from './load-host.js';
import { moduleShapeProblems } from './module-shape.js';
import { findPackageFrom, resolvePackageEntry } from './package-resolution.js';
import { sharedLibraryProblem } from './shared-libraries.js';

/** A plugin that passed every load phase but `register`. */
export interface LoadedPlugin {
  readonly plugin: DiscoveredPlugin;
  readonly module: PluginModule;
}

export function pluginLabel(plugin: Pick<DiscoveredPlugin, 'kind' | 'name' | 'packageName'>): string {
  return `${plugin.kind}/${plugin.name} (${plugin.packageName})`;
}

/**
 * Load a discovered plugin phase by phase; each phase fails with its own code. The manifest was
 * validated by discovery. The API version, the single copy of core and the trust rule for the entry
 * file are checked *before* import, so a plugin built for another core, or a file another user could
 * have written, never runs code in this process.
 */
export async function loadPlugin(plugin: DiscoveredPlugin, host: LoadHost, trust = new PathTrust()): Promise<LoadedPlugin> {
  if (plugin.builtin) return { plugin, module: await plugin.builtin() };
  const label = pluginLabel(plugin);
  checkApiVersion(plugin.apiVersion, label, 'the manifest', host);
  await checkPeers(plugin, host, label);
  const entry = resolvePackageEntry(plugin.path, plugin.packageJson, plugin.manifest.entry);
  if (!existsSync(entry)) {
    throw new PluginLoadError('resolve', label, `entry file ${entry} does not exist`, {
      suggestions: ['build the plugin package (its dist/ may be missing) or fix "main"/"exports"/"aminator.entry"'],
    });
  }
  trust.assert(entry, `plugin ${label} entry`);
  const module = await importModule(entry, label);
  checkShape(module, plugin, label);
  return { plugin, module };
}

function checkApiVersion(apiVersion: number, label: string, where: string, host: LoadHost): void {
  if (SUPPORTED_PLUGIN_API_VERSIONS.includes(apiVersion)) return;
  const retired = RETIRED_PLUGIN_APIS[apiVersion];
  const supported = SUPPORTED_PLUGIN_API_VERSIONS.join(', ');
  throw new PluginLoadError(
    'api-version',
    label,
    retired
      ? `${where} declares plugin API ${apiVersion}, which this core no longer loads (it supports ${supported}): ${retired}`
      : `${where} declares plugin API ${apiVersion}; this core supports ${supported}`,
    {
      suggestions: [
        'install a version of the plugin written for this @aminator/core, or upgrade @aminator/core-bin',
        ...(retired ? [`to port the plugin, read "${MIGRATION_SECTION}" in ${join(host.coreDir, 'README.md')}`] : []),
      ],
    },
  );
}

async function checkPeers(plugin: DiscoveredPlugin, host: LoadHost, label: string): Promise<void> {
  if (host.sharesModules) checkDeclaredShared(plugin, label);
  else checkResolvedCopies(plugin, host, label);
  const problem = host.sharedLibraries && (await sharedLibraryProblem(plugin, host.sharedLibraries));
  if (problem) {
    throw new PluginLoadError('peer', label, problem, {
      code: ErrorCodes.PLUGIN_PEER,
      suggestions: ['install versions of the plugins that agree on the library (update them together)'],
    });
  }
  const peers = plugin.packageJson.peerDependencies as Record<string, string> | undefined;
  const range = peers?.['@aminator/core'];
  if (!range) return;
  // Loaded here, not at start-up, and only the one function: most commands never load a plugin.
  const { default: satisfies } = await import('semver/functions/satisfies.js');
  if (!satisfies(host.coreVersion, range, { includePrerelease: true })) {
    throw new PluginLoadError('peer', label, `needs @aminator/core ${range}; this is ${host.coreVersion}`, {
      code: ErrorCodes.PLUGIN_PEER,
      suggestions: ['install a version of the plugin that supports this @aminator/core'],
    });
  }
}

/** With shared modules, a plugin must still not ask for a core or tsyringe of its own. */
function checkDeclaredShared(plugin: DiscoveredPlugin, label: string): void {
  const dependencies = plugin.packageJson.dependencies as Record<string, string> | undefined;
  for (const name of ['@aminator/core', 'tsyringe']) {
    if (dependencies?.[name]) {
      throw new PluginLoadError('peer', label, `lists ${name} under dependencies: it asks for a copy of its own`, {
        suggestions: [`list ${name} under peerDependencies of the plugin, not dependencies, and reinstall it`],
      });
    }
  }
}

/** Without shared modules, the copies the plugin would import must be the host's. */
function checkResolvedCopies(plugin: DiscoveredPlugin, host: LoadHost, label: string): void {
  const coreCopy = findPackageFrom(plugin.path, '@aminator/core');
  if (coreCopy && coreCopy !== host.coreDir) {
    throw new PluginLoadError('peer', label, `resolves its own copy of @aminator/core at ${coreCopy}, not the one aminate runs (${host.coreDir})`, {
      suggestions: ['list @aminator/core under peerDependencies of the plugin, not dependencies, and reinstall it'],
    });
  }
  const tsyringeCopy = findPackageFrom(plugin.path, 'tsyringe');
  if (tsyringeCopy && host.tsyringeDir && tsyringeCopy !== host.tsyringeDir) {
    throw new PluginLoadError('peer', label, `resolves its own copy of tsyringe at ${tsyringeCopy}`, {
      suggestions: ['list tsyringe under peerDependencies of the plugin, not dependencies, and reinstall it'],
    });
  }
}

async function importModule(entry: string, label: string): Promise<unknown> {
  try {
    const imported = (await import(pathToFileURL(entry).href)) as { default?: unknown };
    return imported.default;
  } catch (cause) {
    throw new PluginLoadError('import', label, `importing ${entry} failed: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
      suggestions: ['run `aminate plugins doctor --debug` for the stack, and reinstall the plugin'],
    });
  }
}

function checkShape(module: unknown, plugin: DiscoveredPlugin, label: string): asserts module is PluginModule {
  const problems = moduleShapeProblems(module);
  if (problems.length > 0) {
    throw new PluginLoadError('shape', label, `default export is not a PluginModule: ${problems.join('; ')}`, {
      suggestions: ['default-export an object `satisfies PluginModule<kind>` (or use definePlugin from @aminator/core)'],
    });
  }
  const mod = module as PluginModule;
  if (mod.kind !== plugin.kind || mod.name !== plugin.name) {
    throw new PluginLoadError('shape', label, `exports ${mod.kind}/${mod.name} but package.json declares ${plugin.kind}/${plugin.name}`);
  }
  if (mod.apiVersion !== plugin.apiVersion) {
    throw new PluginLoadError('api-version', label, `module declares plugin API ${mod.apiVersion} but package.json declares ${plugin.apiVersion}`);
  }
  const missing = (plugin.manifest.commands ?? []).filter((name) => !(mod.commands ?? []).some((c) => c.name === name));
  if (missing.length > 0) {
    throw new PluginLoadError('shape', label, `package.json lists command(s) ${missing.join(', ')} that the module does not define`);
  }
}
