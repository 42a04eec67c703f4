import type { DependencyContainer } from '../di/dependency-injection.js';
import type { PluginKind } from '../plugin/plugin-kinds.js';
import type { PluginCommand } from './plugin-command.js';

/**
 * The part of a zod schema the loader uses. Plugins build it with the `z` that @aminator/core
 * re-exports, so there is one copy of zod as well.
 */
export interface ConfigSchema<C> {
  safeParse(input: unknown): { success: true; data: C } | { success: false; error: { issues: ReadonlyArray<SchemaIssue> } };
}

export interface SchemaIssue {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

/** A CLI flag a plugin adds to `aminate bake` when it is in the selected environment. */
export interface PluginOption {
  /** Long flag without dashes, kebab-case: `base-image-owner` becomes `--base-image-owner`. */
  readonly flag: string;
  readonly description: string;
  /** Key in the plugin's config section the flag sets; dots for nested keys. */
  readonly key: string;
  /** `list` flags may be repeated and collect into an array. */
  readonly type: 'string' | 'number' | 'boolean' | 'list';
  /** Shown in help: `--base-image-owner <account>`. */
  readonly valueName?: string;
  /** `aminate cleanup` offers the flag too: it says where to look (a store, a region), not how to bake. */
  readonly cleanup?: boolean;
}

/**
 * What a plugin package default-exports.
 *
 * `register` binds the kind's token (for example `PROVISIONER`) in the container it is given — a
 * child container of one run — usually with `useClass`. The validated config is bound to the kind's
 * config token (`PROVISIONER_CONFIG`) before `register` is called and passed to it as well.
 */
export interface PluginModule<K extends PluginKind = PluginKind, C = unknown> {
  readonly kind: K;
  /** Short name environments use: `apt`, `ec2`. Lowercase, digits, dashes. */
  readonly name: string;
  /** The plugin API version the plugin was written against. */
  readonly apiVersion: number;
  /** One line for `aminate plugins list`. */
  readonly summary?: string;
  /** Validates only this plugin's config section (`<kind>.<name>` in config). */
  readonly configSchema: ConfigSchema<C>;
  readonly options?: readonly PluginOption[];
  /** Commands the plugin adds to `aminate`; their names are listed in the manifest too. */
  readonly commands?: readonly PluginCommand<C>[];
  register(container: DependencyContainer, config: C): void | Promise<void>;
}
