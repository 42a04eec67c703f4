import { register } from 'node:module';
import { currentLoadHost, type LoadHost } from '@aminator/core/host';

/**
 * What aminate hands to its plugins instead of their own copies: one core (its tokens, its errors)
 * and one tsyringe (its registry of injectable classes) per process, or DI across them breaks.
 */
const SHARED_MODULES = ['@aminator/core', '@aminator/core/host', 'tsyringe', 'reflect-metadata'] as const;

let registered = false;

/**
 * The load host for plugins, with the shared modules mapped to aminate's copies. npm installs every
 * global package apart (`npm i -g @aminator/core-bin @aminator/cloud-local` gives each its own
 * core as a peer), so without this a globally installed plugin would run a second core. Registered
 * once, just before the first plugin is loaded: commands that load none pay nothing for it.
 */
export function sharedModulesHost(): LoadHost {
  if (!registered) {
    const shared = Object.fromEntries(SHARED_MODULES.map((name) => [name, import.meta.resolve(name)]));
    register('./shared-modules-hook.js', import.meta.url, { data: { shared } });
    registered = true;
  }
  return { ...currentLoadHost(), sharesModules: true };
}
