import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { nodeModulesChain } from './search-paths.js';

/** The directory Node would resolve `packageName` to from `fromDir` (real path), if any. */
export function findPackageFrom(fromDir: string, packageName: string): string | undefined {
  for (const nodeModules of nodeModulesChain(fromDir)) {
    const dir = join(nodeModules, packageName);
    if (existsSync(join(dir, 'package.json'))) return realpathSync(dir);
  }
  return undefined;
}

export function readPackageJson(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
}

const CONDITIONS = ['import', 'node', 'default'] as const;

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
  const conditions = value as Record<string, unknown>;
  for (const condition of CONDITIONS) {
    const target = conditionTarget(conditions[condition]);
    if (target) return target;
  }
  return undefined;
}
