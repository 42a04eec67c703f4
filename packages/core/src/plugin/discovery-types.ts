import type { PluginModule } from '../interfaces/plugin-module.js';
import type { PluginManifest } from './manifest-schema.js';
import type { PluginKind } from './plugin-kinds.js';

/** A package whose manifest validated: it can be selected by `kind` and `name`. */
export interface DiscoveredPlugin {
  readonly kind: PluginKind;
  readonly name: string;
  readonly apiVersion: number;
  readonly packageName: string;
  readonly version: string;
  /** Real path of the package directory. */
  readonly path: string;
  /** The search root it was found under, or `builtin`. */
  readonly foundIn: string;
  readonly manifest: PluginManifest;
  /** The parsed package.json, for the loader. */
  readonly packageJson: Readonly<Record<string, unknown>>;
  /** Set for plugins built into core: loads the module without a package import. */
  readonly builtin?: () => Promise<PluginModule>;
}

/** A package with the plugin keyword that cannot be a plugin, and why. */
export interface RejectedCandidate {
  readonly packageName?: string;
  readonly path: string;
  readonly code: string;
  readonly reason: string;
}

export interface DiscoveryResult {
  readonly plugins: readonly DiscoveredPlugin[];
  readonly rejected: readonly RejectedCandidate[];
  /** Copies of a package already found earlier on the search path; the earlier one wins. */
  readonly shadowed: readonly DiscoveredPlugin[];
}
