import { PathTrust } from '../trust/trusted-path.js';
import type { DiscoveredPlugin } from './discovery-types.js';
import { PackageLookup, resolvePackageEntry } from './package-resolution.js';

/** The package.json keyword of a library that plugins share: one copy of it per process. */
export const LIBRARY_KEYWORD = 'aminator-library';

/** The copy of a shared library every plugin in this process gets, and the copies it stands in for. */
export interface SharedLibrary {
  readonly name: string;
  readonly version: string;
  /** Real path of the package directory. */
  readonly dir: string;
  /** The file `import(name)` loads from that copy. */
  readonly entry: string;
  /** Every copy found next to the plugins (this one included). */
  readonly copies: readonly string[];
}

interface Copy {
  readonly dir: string;
  readonly version: string;
  readonly pkg: Readonly<Record<string, unknown>>;
}

/**
 * npm installs global packages apart, so two plugins that depend on one library (the EC2 cloud and
 * finalizer on aws-ec2) each get a copy; services one registers and the other resolves would then be
 * two copies of a class behind one token. Every library marked with the keyword, reached from a
 * plugin's dependencies (and from theirs), resolves to one copy: the newest found. Whether that copy
 * suits each plugin is the loader's check (`sharedLibraryProblem`).
 */
export async function chooseSharedLibraries(
  plugins: readonly DiscoveredPlugin[],
  trust = new PathTrust(),
  lookup = new PackageLookup(),
): Promise<SharedLibrary[]> {
  const found = new Map<string, Map<string, Copy>>();
  const pending: Array<{ from: string; pkg: Readonly<Record<string, unknown>> }> = plugins
    .filter((p) => !p.builtin)
    .map((p) => ({ from: p.path, pkg: p.packageJson }));
  for (let next = pending.pop(); next; next = pending.pop()) {
    for (const name of Object.keys((next.pkg.dependencies as Record<string, string> | undefined) ?? {})) {
      const dir = lookup.find(next.from, name);
      if (!dir || found.get(name)?.has(dir)) continue;
      const pkg = lookup.packageJson(dir);
      if (!(Array.isArray(pkg.keywords) && pkg.keywords.includes(LIBRARY_KEYWORD))) continue;
      found.set(name, (found.get(name) ?? new Map()).set(dir, { dir, version: String(pkg.version ?? '0.0.0'), pkg }));
      pending.push({ from: dir, pkg });
    }
  }
  if (found.size === 0) return [];
  const { default: compare } = await import('semver/functions/compare.js');
  return [...found].map(([name, copies]) => {
    const all = [...copies.values()];
    const newest = all.reduce((a, b) => (compare(b.version, a.version) > 0 ? b : a));
    const entry = resolvePackageEntry(newest.dir, newest.pkg);
    // Every plugin will run this copy: it passes the rule a plugin's own entry does, before any import.
    trust.assert(entry, `shared library ${name} entry`);
    return { name, version: newest.version, dir: newest.dir, entry, copies: all.map((c) => c.dir) };
  });
}

/** Why a plugin cannot use the shared copies, if it cannot: a range it declares that the shared copy does not meet. */
export async function sharedLibraryProblem(plugin: DiscoveredPlugin, shared: readonly SharedLibrary[]): Promise<string | undefined> {
  const wanted = (plugin.packageJson.dependencies as Record<string, string> | undefined) ?? {};
  const { default: satisfies } = await import('semver/functions/satisfies.js');
  for (const library of shared) {
    const range = wanted[library.name];
    if (range && !satisfies(library.version, range, { includePrerelease: true })) {
      return `needs ${library.name} ${range}, but the copy every plugin shares is ${library.version} (${library.dir})`;
    }
  }
  return undefined;
}
