// tsyringe needs the Reflect metadata API before any decorated class is defined.
import 'reflect-metadata';

export { z } from 'zod';

export * from './tokens.js';

// Everything a host (the CLI) needs; the rest below is what plugins and the pipeline add.
export * from './host.js';

export type * from './interfaces/bake-types.js';
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
export type * from './interfaces/provisioner.js';
export type * from './interfaces/step-context.js';
export type * from './interfaces/volume.js';
export type * from './interfaces/verifier.js';

export * from './errors/cleanup-error.js';
export * from './errors/command-failed-error.js';
export * from './errors/lock-error.js';
export * from './errors/step-failed-error.js';
export * from './errors/timeout-error.js';
export * from './errors/verification-error.js';

export * from './plugin/define-plugin.js';
export * from './plugin/register-plugin.js';

export type * from './pipeline/bake-outcome.js';
export type * from './pipeline/bake-request.js';
export type * from './pipeline/bake-settings.js';
export * from './naming/image-name.js';
export * from './naming/image-tags.js';
export * from './pipeline/bake-pipeline.js';
export * from './pipeline/bake-steps.js';
export * from './pipeline/cleanup-stack.js';
export * from './pipeline/failpoints.js';
export * from './pipeline/sleep.js';

export * from './runtime/event-bus.js';
export * from './runtime/event-logger.js';
export * from './runtime/execa-command-runner.js';
export * from './runtime/file-lock-manager.js';
export * from './runtime/process-start.js';
export * from './runtime/missing-ok.js';
export * from './runtime/event-line.js';
export * from './runtime/private-directory.js';
export * from './runtime/run-log-file.js';
export * from './runtime/redact.js';

export type * from './interfaces/leftover.js';
export * from './reclaim/core-leftovers.js';
export * from './reclaim/leftover-phases.js';
export * from './reclaim/leftover-sweep.js';
export * from './reclaim/run-id.js';
export * from './reclaim/run-liveness.js';
export * from './reclaim/run-owner.js';
