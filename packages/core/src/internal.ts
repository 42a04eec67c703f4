/**
 * `@aminator/core/internal`: everything in core, for the aminate CLI (core-bin) and the testkit. Not
 * part of the plugin API: it changes with core's releases, not with the plugin API version.
 * Plugins use `@aminator/core`, whose surface is recorded in api/core.api.md.
 */

export * from './errors/cleanup-error.js';
export * from './errors/command-failed-error.js';
export * from './errors/lock-error.js';
export * from './errors/step-failed-error.js';
export * from './errors/timeout-error.js';
export * from './errors/verification-error.js';
// Everything a host (the CLI) needs; the rest below is what plugins and the pipeline add.
export * from './host.js';
export * from './index.js';
export * from './naming/image-name.js';
export * from './naming/image-tags.js';
export type * from './pipeline/bake-request.js';
export type * from './pipeline/bake-settings.js';
export * from './pipeline/bake-steps.js';
export * from './pipeline/cleanup-stack.js';
export * from './pipeline/command-run.js';
export * from './pipeline/failpoints.js';
export * from './pipeline/poll-until.js';
export * from './pipeline/run-frame.js';
export type * from './pipeline/run-outcome.js';
export * from './pipeline/run-pipeline.js';
export * from './pipeline/sleep.js';
export * from './pipeline/step-run.js';
export * from './plugin/define-plugin.js';
export * from './plugin/plugin-instance.js';
export * from './plugin/register-plugin.js';
export * from './reclaim/container-id.js';
export * from './reclaim/core-leftovers.js';
export * from './reclaim/leftover-phases.js';
export * from './reclaim/leftover-sweep.js';
export * from './reclaim/run-id.js';
export * from './reclaim/run-liveness.js';
export * from './reclaim/run-owner.js';
export * from './runtime/event-bus.js';
export * from './runtime/event-line.js';
export * from './runtime/event-logger.js';
export * from './runtime/file-lock-manager.js';
export * from './runtime/missing-ok.js';
export * from './runtime/output-file.js';
export * from './runtime/own-files.js';
export * from './runtime/plain-text.js';
export * from './runtime/private-directory.js';
export * from './runtime/process-command-runner.js';
export * from './runtime/process-start.js';
export * from './runtime/redact.js';
export * from './runtime/run-log-file.js';
export * from './runtime/text-table.js';
export * from './runtime/wait-for-lock.js';
export * from './tokens.js';
export * from './trust/trusted-path.js';
