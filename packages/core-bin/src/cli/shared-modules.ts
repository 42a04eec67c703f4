import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { chooseSharedLibraries, currentLoadHost, type DiscoveredPlugin, type LoadHost } from '@aminator/core/host';

/**
 * What aminate hands to its plugins instead of their own copies: one core (its tokens, its errors)
 * and one tsyringe (its registry of injectable classes) per process, or DI across them breaks.
 */
const SHARED_MODULES = ['@aminator/core', '@aminator/core/host', '@aminator/core/internal', 'tsyringe', 'reflect-metadata'] as const;

let host: Promise<LoadHost> | undefined;

/**
 * The load host for plugins, with the shared modules mapped to aminate's copies and each shared
 * library (keyword `aminator-library`) to one copy of it. npm installs every global package apart
 * (`npm i -g @aminator/core-bin @aminator/cloud-ec2 @aminator/finalizer-ebs` gives each its own core
 * as a peer and its own aws-ec2), so without this a globally installed plugin would run a second
 * core, and two plugins would share services across two copies of a class. Registered once, just
 * before the first plugin is loaded, from every plugin found (so every command chooses alike):
 * commands that load none pay nothing for it.
 */
export function sharedModulesHost(plugins: readonly DiscoveredPlugin[]): Promise<LoadHost> {
  host ??= (async () => {
    const libraries = await chooseSharedLibraries(plugins);
    const shared = {
      ...Object.fromEntries(SHARED_MODULES.map((name) => [name, import.meta.resolve(name)])),
      ...Object.fromEntries(libraries.map((library) => [library.name, pathToFileURL(library.entry).href])),
    };
    register('./shared-modules-hook.js', import.meta.url, { data: { shared } });
    return { ...currentLoadHost(), sharesModules: true, sharedLibraries: libraries };
  })();
  return host;
}
