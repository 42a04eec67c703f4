import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { projectDirs } from '../trust/project-root.js';

export interface SearchPathInput {
  /** Directory of the CLI package (core-bin); the node_modules of its install are searched first. */
  readonly cliDir: string;
  /** The working directory; the project's own node_modules are searched next. */
  readonly projectDir: string;
  /** npm's global prefix; `<prefix>/lib/node_modules` is searched last. */
  readonly globalPrefix?: string;
}

/** node_modules directories from `dir` up to the root, nearest first: where Node resolves a package from. */
export function nodeModulesChain(dir: string): string[] {
  return nodeModulesOf(ancestors(dir));
}

/** The global prefix as npm computes it without running npm: env, then from the node binary. */
export function defaultGlobalPrefix(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_config_prefix ?? env.NPM_CONFIG_PREFIX ?? dirname(dirname(process.execPath));
}

/**
 * Where plugins are looked for, in priority order, existing directories only, each once: the
 * node_modules of aminate's own install, the project's own node_modules (up to its root, never the
 * node_modules of every directory above the working directory: anyone can make /tmp/node_modules),
 * then npm's global root.
 */
export function pluginSearchPaths(input: SearchPathInput): string[] {
  const globalRoot = join(input.globalPrefix ?? defaultGlobalPrefix(), 'lib', 'node_modules');
  const all = [...nodeModulesOf(installDirs(input.cliDir)), ...nodeModulesOf(projectDirs(input.projectDir)), globalRoot];
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

function ancestors(dir: string): string[] {
  const dirs: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    dirs.push(current);
    if (dirname(current) === current) return dirs;
  }
}

function nodeModulesOf(dirs: readonly string[]): string[] {
  return dirs.filter((d) => !d.endsWith(`${sep}node_modules`)).map((d) => join(d, 'node_modules'));
}

/**
 * The directories from the CLI package up to the root of its install: the directory holding the
 * outermost node_modules it was installed into (a project, npm's global lib), or else the checkout
 * it was built in (the nearest directory with .git).
 */
function installDirs(cliDir: string): string[] {
  const all = ancestors(cliDir);
  const installed = all.findLastIndex((d) => d.endsWith(`${sep}node_modules`));
  if (installed >= 0) return all.slice(0, installed + 2);
  const checkout = all.findIndex((d) => existsSync(join(d, '.git')));
  return checkout >= 0 ? all.slice(0, checkout + 1) : [all[0] as string];
}
