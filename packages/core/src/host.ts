/**
 * The light entry `@aminator/core/host`: what a CLI needs to read config and find plugins, without
 * the DI container, the pipeline or any plugin import — so commands that only look start fast.
 * Plugins use the main entry, `@aminator/core`.
 */

export type * from './config/config-layer.js';
export * from './config/core-config-schema.js';
export * from './config/default-config.js';
export * from './config/key-path.js';
export * from './config/load-config-files.js';
export * from './config/merge-layers.js';
export * from './config/select-environment.js';
export * from './config/validate-config.js';
export * from './errors/aminator-error.js';
export * from './errors/config-error.js';
export * from './errors/environment-error.js';
export * from './errors/error-codes.js';
export * from './errors/exit-codes.js';
export * from './errors/format-error.js';
export * from './errors/interrupted-error.js';
export * from './errors/plugin-load-error.js';
export * from './errors/usage-error.js';
export type * from './interfaces/logger.js';
export type * from './interfaces/plugin-command.js';
export type * from './interfaces/plugin-module.js';
export type * from './interfaces/run-events.js';
export * from './plugin/api-version.js';
export * from './plugin/builtin-plugins.js';
export * from './plugin/discover-plugins.js';
export type * from './plugin/discovery-types.js';
export * from './plugin/load-host.js';
export * from './plugin/manifest-schema.js';
export * from './plugin/module-shape.js';
export * from './plugin/package-resolution.js';
export * from './plugin/plugin-kinds.js';
export * from './plugin/plugin-loader.js';
export * from './plugin/plugin-pairing.js';
export * from './plugin/reserved-flags.js';
export * from './plugin/search-paths.js';
export * from './plugin/select-plugin.js';
export * from './plugin/shared-libraries.js';
export * from './runtime/event-line.js';
export * from './runtime/output-file.js';
export * from './runtime/plain-text.js';
export * from './runtime/redact.js';
export * from './runtime/text-table.js';
export * from './trust/project-root.js';
export * from './trust/trusted-path.js';
