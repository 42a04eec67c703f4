// tsyringe needs the Reflect metadata API before any decorated class is defined.
import 'reflect-metadata';

export { z } from 'zod';

export * from './tokens.js';

export type * from './interfaces/bake-types.js';
export type * from './interfaces/bake-events.js';
export type * from './interfaces/bake-plan.js';
export type * from './interfaces/bake-plugin.js';
export type * from './interfaces/block-device.js';
export type * from './interfaces/cleanup-scope.js';
export type * from './interfaces/cloud.js';
export type * from './interfaces/command-runner.js';
export type * from './interfaces/finalizer.js';
export type * from './interfaces/lock-manager.js';
export type * from './interfaces/logger.js';
export type * from './interfaces/metrics.js';
export type * from './interfaces/operating-system.js';
export type * from './interfaces/plan-context.js';
export type * from './interfaces/plugin-module.js';
export type * from './interfaces/provisioner.js';
export type * from './interfaces/step-context.js';
export type * from './interfaces/volume.js';

export * from './errors/aminator-error.js';
export * from './errors/cleanup-error.js';
export * from './errors/command-failed-error.js';
export * from './errors/config-error.js';
export * from './errors/environment-error.js';
export * from './errors/error-codes.js';
export * from './errors/exit-codes.js';
export * from './errors/format-error.js';
export * from './errors/interrupted-error.js';
export * from './errors/lock-error.js';
export * from './errors/plugin-load-error.js';
export * from './errors/step-failed-error.js';
export * from './errors/timeout-error.js';
export * from './errors/usage-error.js';

export * from './plugin/api-version.js';
export * from './plugin/builtin-plugins.js';
export * from './plugin/define-plugin.js';
export * from './plugin/discover-plugins.js';
export type * from './plugin/discovery-types.js';
export * from './plugin/load-host.js';
export * from './plugin/manifest-schema.js';
export * from './plugin/module-shape.js';
export * from './plugin/package-resolution.js';
export * from './plugin/plugin-kinds.js';
export * from './plugin/plugin-loader.js';
export * from './plugin/reserved-flags.js';
export * from './plugin/register-plugin.js';
export * from './plugin/search-paths.js';
export * from './plugin/select-plugin.js';

export type * from './config/config-layer.js';
export * from './config/core-config-schema.js';
export * from './config/default-config.js';
export * from './config/key-path.js';
export * from './config/load-config-files.js';
export * from './config/merge-layers.js';
export * from './config/select-environment.js';
export * from './config/validate-config.js';

export type * from './pipeline/bake-outcome.js';
export type * from './pipeline/bake-request.js';
export type * from './pipeline/bake-settings.js';
export * from './pipeline/bake-pipeline.js';
export * from './pipeline/bake-steps.js';
export * from './pipeline/cleanup-stack.js';
export * from './pipeline/failpoints.js';

export * from './runtime/event-bus.js';
export * from './runtime/event-logger.js';
export * from './runtime/execa-command-runner.js';
export * from './runtime/file-lock-manager.js';
export * from './runtime/process-start.js';
export * from './runtime/redact.js';
