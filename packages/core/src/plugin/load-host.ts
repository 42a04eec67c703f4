import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPackageFrom, readPackageJson } from './package-resolution.js';
import type { SharedLibrary } from './shared-libraries.js';

/** The copy of core (and tsyringe) this process runs; plugins must resolve to the same ones. */
export interface LoadHost {
  readonly coreDir: string;
  readonly coreVersion: string;
  readonly tsyringeDir?: string;
  /**
   * The host hands its own core and tsyringe to every plugin it imports (module resolution hooks, as
   * aminate does): a copy npm put next to a plugin is then never loaded, and only what the plugin
   * declares is checked (core as a peer, in a range this core satisfies).
   */
  readonly sharesModules?: boolean;
  /** With shared modules: the one copy of each shared library every plugin gets. */
  readonly sharedLibraries?: readonly SharedLibrary[];
}

let cached: LoadHost | undefined;

export function currentLoadHost(): LoadHost {
  if (cached) return cached;
  // A self-reference: the same from the per-file build and from the bundle.
  const coreDir = realpathSync(dirname(fileURLToPath(import.meta.resolve('@aminator/core/package.json'))));
  const version = readPackageJson(coreDir).version;
  cached = { coreDir, coreVersion: typeof version === 'string' ? version : '0.0.0', tsyringeDir: findPackageFrom(coreDir, 'tsyringe') };
  return cached;
}
