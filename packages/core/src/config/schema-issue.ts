import { ConfigError } from '../errors/config-error.js';
import type { SchemaIssue } from '../interfaces/plugin-module.js';
import type { MergedConfig } from './config-layer.js';
import { sourceOf } from './merge-layers.js';

/** A ConfigError for the first schema issue, naming the file, the key path and the owner. */
export function configIssueError(merged: Pick<MergedConfig, 'sources'>, prefix: string, issues: readonly SchemaIssue[], plugin: string): ConfigError {
  const [first] = issues;
  const keyPath = [prefix, ...(first?.path ?? []).map(String)].filter(Boolean).join('.');
  const source = sourceOf(merged, keyPath) ?? 'defaults';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new ConfigError(
    `${source}: ${keyPath}: ${first?.message ?? 'invalid'}${more} [${plugin}]`,
    { source, keyPath, plugin },
    {
      suggestions: [`fix ${keyPath} in ${source}`, 'run `aminate config` to see every value and where it came from'],
    },
  );
}
