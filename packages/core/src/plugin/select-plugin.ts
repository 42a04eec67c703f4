import { ErrorCodes } from '../errors/error-codes.js';
import { PluginLoadError } from '../errors/plugin-load-error.js';
import type { DiscoveredPlugin, DiscoveryResult } from './discovery-types.js';
import type { PluginKind } from './plugin-kinds.js';

/** The npm package we would publish for a kind and name. */
export function suggestedPackage(kind: PluginKind, name: string): string {
  return `@aminator/${kind}-${name}`;
}

/** The one discovered plugin of `kind` named `name`, or a resolve-phase error saying how to get it. */
export function selectPlugin(discovery: DiscoveryResult, kind: PluginKind, name: string): DiscoveredPlugin {
  const matches = discovery.plugins.filter((p) => p.kind === kind && p.name === name);
  if (matches.length > 1) {
    throw new PluginLoadError(
      'resolve',
      `${kind}/${name}`,
      `more than one package provides it: ${matches.map((m) => `${m.packageName} (${m.path})`).join(', ')}`,
      {
        code: ErrorCodes.PLUGIN_AMBIGUOUS,
        suggestions: ['uninstall all but one of them'],
      },
    );
  }
  const [match] = matches;
  if (match) return match;
  const rejected = discovery.rejected.filter((r) => r.packageName?.includes(name));
  const others = discovery.plugins.filter((p) => p.kind === kind).map((p) => p.name);
  throw new PluginLoadError('resolve', `${kind}/${name}`, 'is not installed', {
    suggestions: [
      `npm i ${suggestedPackage(kind, name)}   (next to @aminator/core-bin: add -g if aminate is installed globally)`,
      ...rejected.map((r) => `${r.packageName} at ${r.path} was rejected: ${r.reason}`),
      ...(others.length > 0 ? [`installed ${kind} plugins: ${others.join(', ')}`] : []),
      'run `aminate plugins list` to see what is installed',
    ],
  });
}
