import { AminatorError } from '../errors/aminator-error.js';
import { ErrorCodes } from '../errors/error-codes.js';
import { EXIT_USAGE } from '../errors/exit-codes.js';
import type { DiscoveredPlugin } from './discovery-types.js';
import type { PluginKind } from './plugin-kinds.js';

/** One plugin of an environment that needs another kind to be something else. */
export interface PairingProblem {
  readonly plugin: DiscoveredPlugin;
  readonly kind: PluginKind;
  readonly wants: readonly string[];
  readonly has: string | undefined;
}

/** What the selected plugins' manifests `requires` of the environment and it does not have. */
export function pairingProblems(environment: Partial<Record<PluginKind, string>>, selected: readonly DiscoveredPlugin[]): PairingProblem[] {
  return selected.flatMap((plugin) =>
    Object.entries(plugin.manifest.requires ?? {}).flatMap(([kind, wants]) => {
      const has = environment[kind as PluginKind];
      return has !== undefined && (wants ?? []).includes(has) ? [] : [{ plugin, kind: kind as PluginKind, wants: wants ?? [], has }];
    }),
  );
}

export function describePairingProblem(p: PairingProblem): string {
  return `${p.plugin.kind} ${p.plugin.name} (${p.plugin.packageName}) works only with ${p.kind} ${p.wants.join(' or ')}, and the environment has ${p.has === undefined ? `no ${p.kind}` : `${p.kind} ${p.has}`}`;
}

/** Refuse (exit 2) an environment whose plugins do not go together, naming each mismatch. */
export function assertPairings(name: string, environment: Partial<Record<PluginKind, string>>, selected: readonly DiscoveredPlugin[]): void {
  const problems = pairingProblems(environment, selected);
  if (problems.length === 0) return;
  throw new AminatorError(`environment ${name} pairs plugins that do not work together: ${problems.map(describePairingProblem).join('; ')}`, {
    code: ErrorCodes.PLUGIN_PAIRING,
    exitCode: EXIT_USAGE,
    suggestions: [
      ...problems.map((p) => `use ${p.kind} ${p.wants.join(' or ')} with ${p.plugin.kind} ${p.plugin.name}, or another ${p.plugin.kind}`),
      'see `aminate environments` for the built-in plugin sets',
    ],
  });
}
