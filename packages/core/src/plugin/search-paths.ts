import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface SearchPathInput {
  /** Directory of the CLI package (core-bin); its node_modules chain is searched first. */
  readonly cliDir: string;
  /** The project directory (cwd); its node_modules chain is searched next. */
  readonly projectDir: string;
  /** npm's global prefix; `<prefix>/lib/node_modules` is searched last. */
  readonly globalPrefix?: string;
}

/** node_modules directories from `dir` up to the root, nearest first. */
export function nodeModulesChain(dir: string): string[] {
  const chain: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (!current.endsWith('/node_modules')) chain.push(join(current, 'node_modules'));
    if (dirname(current) === current) break;
  }
  return chain;
}

/** The global prefix as npm computes it without running npm: env, then from the node binary. */
export function defaultGlobalPrefix(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_config_prefix ?? env.NPM_CONFIG_PREFIX ?? dirname(dirname(process.execPath));
}

/** Where plugins are looked for, in priority order, existing directories only, each once. */
export function pluginSearchPaths(input: SearchPathInput): string[] {
  const globalRoot = join(input.globalPrefix ?? defaultGlobalPrefix(), 'lib', 'node_modules');
  const all = [...nodeModulesChain(input.cliDir), ...nodeModulesChain(input.projectDir), globalRoot];
  const seen = new Set<string>();
  const paths: string[] = [];
  for (const dir of all) {
    if (!existsSync(dir)) continue;
    const real = realpathSync(dir);
    if (seen.has(real)) continue;
    seen.add(real);
    paths.push(dir);
  }
  return paths;
}
