import { EnvironmentError } from '../errors/environment-error.js';
import type { EnvironmentKinds } from '../plugin/plugin-kinds.js';
import type { CoreConfig, EnvironmentConfig } from './core-config-schema.js';

export interface SelectedEnvironment {
  readonly name: string;
  readonly config: EnvironmentConfig;
  readonly plugins: EnvironmentKinds<string>;
}

/** The environment named by `-e`, else the configured default; unknown names get the nearest ones. */
export function selectEnvironment(config: CoreConfig, requested?: string): SelectedEnvironment {
  const name = requested ?? config.environment;
  const env = config.environments[name];
  if (!env) {
    const known = Object.keys(config.environments);
    const near = nearest(known, name);
    throw new EnvironmentError(`unknown environment "${name}"`, [
      ...(near.length > 0 ? [`did you mean ${near.join(' or ')}?`] : []),
      `known environments: ${known.join(', ')} (see \`aminate environments\`)`,
      'define it under `environments:` in your config file',
    ]);
  }
  const { cloud, volume, os, provisioner, finalizer, metrics, verifier } = env;
  return { name, config: env, plugins: { cloud, volume, os, provisioner, finalizer, metrics, ...(verifier ? { verifier } : {}) } };
}

/** The known names at the smallest edit distance, if it is small enough to be a typo. */
function nearest(known: readonly string[], name: string): string[] {
  const scored = known.map((k) => ({ k, d: distance(k, name) }));
  const best = Math.min(...scored.map((s) => s.d));
  return best <= Math.max(2, Math.floor(name.length / 3)) ? scored.filter((s) => s.d === best).map((s) => s.k) : [];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}
