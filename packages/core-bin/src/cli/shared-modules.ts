import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chooseSharedLibraries, currentLoadHost, type DiscoveredPlugin, type LoadHost, PackageLookup, type SharedLibrary } from '@aminator/core/host';
import { cliPackageDir } from './cli-paths.js';

/**
 * What aminate hands to its plugins instead of their own copies: one core (its tokens, its errors)
 * and one tsyringe (its registry of injectable classes) per process, or DI across them breaks.
 */
const SHARED_MODULES = ['@aminator/core', '@aminator/core/host', '@aminator/core/internal', 'tsyringe', 'reflect-metadata'] as const;
const SHARED_PACKAGES = ['@aminator/core', 'tsyringe', 'reflect-metadata'] as const;

/** A plugin host that says how it made every plugin share one copy of each shared module. */
export interface SharingHost extends LoadHost {
  /**
   * `resolution`: Node's own resolution already gives every plugin and library aminate's copies (a
   * project or workspace install), so no hook runs. `hooks`: some plugin would reach another copy, so
   * module resolution hooks hand it aminate's.
   */
  readonly sharedBy: 'resolution' | 'hooks';
}

let host: Promise<SharingHost> | undefined;

/**
 * The load host for plugins, with the shared modules mapped to aminate's copies and each shared
 * library (keyword `aminator-library`) to one copy of it. npm installs every global package apart
 * (`npm i -g @aminator/core-bin @aminator/cloud-ec2 @aminator/finalizer-ebs` gives each its own core
 * as a peer and its own aws-ec2), so without this a globally installed plugin would run a second
 * core, and two plugins would share services across two copies of a class. Decided once, just
 * before the first plugin is loaded, from every plugin found (so every command chooses alike):
 * commands that load none pay nothing for it.
 */
export function sharedModulesHost(plugins: readonly DiscoveredPlugin[]): Promise<SharingHost> {
  host ??= (async () => {
    const lookup = new PackageLookup();
    const libraries = await chooseSharedLibraries(plugins, undefined, lookup);
    const base = { ...currentLoadHost(), sharesModules: true, sharedLibraries: libraries };
    // The hooks run every later import through a loader thread (~120 ms for a bake's modules). They
    // are needed only when a plugin would resolve something else than the copy every plugin gets.
    if (!otherCopyReached(plugins, libraries, cliPackageDir(), lookup)) return { ...base, sharedBy: 'resolution' };
    const shared = {
      ...Object.fromEntries(SHARED_MODULES.map((name) => [name, import.meta.resolve(name)])),
      ...Object.fromEntries(libraries.map((library) => [library.name, pathToFileURL(library.entry).href])),
    };
    // The hooks file by path: the bundle does not hold it, and the per-file build always ships.
    register(pathToFileURL(join(cliPackageDir(), 'dist', 'src', 'cli', 'shared-modules-hook.js')).href, { data: { shared } });
    return { ...base, sharedBy: 'hooks' };
  })();
  return host;
}

/**
 * Whether Node's own resolution, from any plugin or chosen library, would reach another copy of a
 * shared package than the one every plugin must get (or none). Plugins and shared libraries are what
 * imports core, tsyringe and the libraries (a helper that plugins share is a library by contract), and
 * Node resolves a bare name from the real path of the importing package the way `PackageLookup.find` does.
 */
export function otherCopyReached(
  plugins: readonly DiscoveredPlugin[],
  libraries: readonly SharedLibrary[],
  fromDir = cliPackageDir(),
  lookup = new PackageLookup(),
): boolean {
  const wanted = new Map<string, string | undefined>(SHARED_PACKAGES.map((name) => [name, lookup.find(fromDir, name)]));
  for (const library of libraries) wanted.set(library.name, library.dir);
  const importers = [...plugins.filter((p) => !p.builtin).map((p) => p.path), ...libraries.map((l) => l.dir)];
  for (const importer of importers) {
    for (const [name, dir] of wanted) {
      if (importer !== dir && lookup.find(importer, name) !== dir) return true;
    }
  }
  return false;
}
