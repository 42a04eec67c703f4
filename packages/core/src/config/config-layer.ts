import type { PlainObject } from './key-path.js';

/** One source of configuration: `defaults`, a file path, `flag --x` or `env AMINATOR_X`. */
export interface ConfigLayer {
  readonly source: string;
  readonly data: PlainObject;
}

/** The merged configuration and, for every leaf key path, the layer its value came from. */
export interface MergedConfig {
  readonly value: PlainObject;
  readonly sources: ReadonlyMap<string, string>;
  readonly layers: readonly ConfigLayer[];
}
