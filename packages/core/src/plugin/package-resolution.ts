import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { nodeModulesChain } from './search-paths.js';

/**
 * Package lookups that remember what they found, for one decision that asks many of them: the
 * plugins of an install share most of their node_modules chain, so each directory is looked at once.
 * Short-lived by design — made for a decision and dropped with it, never kept across file changes.
 */
export class PackageLookup {
  private readonly directories = new Map<string, boolean>();
  private readonly packages = new Map<string, string | undefined>();
  private readonly manifests = new Map<string, Record<string, unknown>>();

  /** The directory Node would resolve `packageName` to from `fromDir` (real path), if any. */
  find(fromDir: string, packageName: string): string | undefined {
    for (const nodeModules of nodeModulesChain(fromDir)) {
      if (!this.remember(this.directories, nodeModules, () => existsSync(nodeModules))) continue;
      const dir = join(nodeModules, packageName);
      const real = this.remember(this.packages, dir, () => (existsSync(join(dir, 'package.json')) ? realpathSync(dir) : undefined));
      if (real) return real;
    }
    return undefined;
  }

  /** The package.json of a package directory. */
  packageJson(dir: string): Record<string, unknown> {
    return this.remember(this.manifests, dir, () => readPackageJson(dir));
  }

  private remember<T>(answers: Map<string, T>, key: string, ask: () => T): T {
    if (answers.has(key)) return answers.get(key) as T;
    const answer = ask();
    answers.set(key, answer);
    return answer;
  }
}

/** The directory Node would resolve `packageName` to from `fromDir` (real path), if any. */
export function findPackageFrom(fromDir: string, packageName: string, lookup = new PackageLookup()): string | undefined {
  return lookup.find(fromDir, packageName);
}

export function readPackageJson(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
}

/**
 * The export conditions `import()` would match here, in priority order: those node was started with
 * (`--conditions` / `-C`, as the tests use `aminator-source`), then Node's own.
 */
export function importConditions(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const args = [...nodeOptions.split(/\s+/).filter(Boolean), ...execArgv];
  const given: string[] = [];
  args.forEach((arg, i) => {
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(arg)?.[1];
    if (inline) given.push(inline);
    else if ((arg === '--conditions' || arg === '-C') && args[i + 1]) given.push(args[i + 1] as string);
  });
  return [...given, 'import', 'node', 'default'];
}

let conditions: readonly string[] | undefined;

/** The file `import(packageName)` would load: manifest entry, else exports ".", else main, else index.js. */
export function resolvePackageEntry(dir: string, pkg: Readonly<Record<string, unknown>>, entry?: string): string {
  if (entry) return join(dir, entry);
  const fromExports = exportTarget(pkg.exports);
  if (fromExports) return join(dir, fromExports);
  if (typeof pkg.main === 'string') return join(dir, pkg.main);
  return join(dir, 'index.js');
}

function exportTarget(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (!exports || typeof exports !== 'object') return undefined;
  const map = exports as Record<string, unknown>;
  const root = '.' in map ? map['.'] : map;
  return conditionTarget(root);
}

function conditionTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return undefined;
  conditions ??= importConditions();
  // Node takes the first key of the object that is an active condition, in the object's own order.
  for (const [key, target] of Object.entries(value as Record<string, unknown>)) {
    if (!conditions.includes(key)) continue;
    const found = conditionTarget(target);
    if (found) return found;
  }
  return undefined;
}
