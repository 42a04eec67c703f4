import type { ConfigSchema } from '../interfaces/plugin-module.js';
import type { PluginKind } from '../plugin/plugin-kinds.js';
import type { MergedConfig } from './config-layer.js';
import { type CoreConfig, coreConfigSchema } from './core-config-schema.js';
import { isPlainObject, valueAtPath } from './key-path.js';
import { configIssueError } from './schema-issue.js';

/** Core's settings from the merged config; errors name the file and key. */
export function validateCoreConfig(merged: MergedConfig): CoreConfig {
  const parsed = coreConfigSchema.safeParse(merged.value);
  if (parsed.success) return parsed.data;
  throw configIssueError(merged, '', parsed.error.issues, 'core');
}

/** One plugin's own section (`<kind>.<name>`), validated by that plugin's schema only. */
export function validatePluginConfig<C>(merged: MergedConfig, kind: PluginKind, name: string, schema: ConfigSchema<C>): C {
  const section = valueAtPath(merged.value, `${kind}.${name}`);
  const parsed = schema.safeParse(isPlainObject(section) ? section : {});
  if (parsed.success) return parsed.data;
  throw configIssueError(merged, `${kind}.${name}`, parsed.error.issues, `${kind}/${name}`);
}
