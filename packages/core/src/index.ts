/**
 * `@aminator/core`: the plugin API (version 2). What a plugin needs, by name: the extension points
 * and the values they pass, the injection tokens, the errors and codes, and the helpers plugins
 * share so that each rule lives in one place. The surface is recorded in api/core.api.md; a change
 * that is not in the report fails the build. The CLI and the testkit use `@aminator/core/internal`.
 */

export { z } from 'zod';
// Image names and tags, the same for every finalizer.
export { removedKey } from './config/removed-key.js';
// Dependency injection: tsyringe's decorators and container, the one copy every plugin shares.
export {
  container,
  type DependencyContainer,
  type InjectionToken,
  inject,
  injectable,
  instanceCachingFactory,
  Lifecycle,
} from './di/dependency-injection.js';
// The errors a plugin throws, and the codes and exit codes they carry.
export { AminatorError, type AminatorErrorOptions, isAminatorError } from './errors/aminator-error.js';
export { CleanupError } from './errors/cleanup-error.js';
export { CommandFailedError, type CommandFailure } from './errors/command-failed-error.js';
export { ErrorCodes } from './errors/error-codes.js';
export { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_RETRY, EXIT_USAGE, type ExitCode } from './errors/exit-codes.js';
export { InterruptedError } from './errors/interrupted-error.js';
export { LockError } from './errors/lock-error.js';
export { TimeoutError } from './errors/timeout-error.js';
export { InvalidInputError, UsageError } from './errors/usage-error.js';
export { VerificationError } from './errors/verification-error.js';
// The extension points and what they pass: the contract.
export type * from './interfaces/bake-plan.js';
export type * from './interfaces/bake-plugin.js';
export type * from './interfaces/bake-types.js';
export type * from './interfaces/cleanup-scope.js';
export type * from './interfaces/cloud.js';
export type * from './interfaces/command-runner.js';
export type * from './interfaces/finalizer.js';
export type * from './interfaces/foundation.js';
export type * from './interfaces/leftover.js';
export type * from './interfaces/lock-manager.js';
export type * from './interfaces/logger.js';
export type * from './interfaces/metrics.js';
export type * from './interfaces/operating-system.js';
export type * from './interfaces/package-inventory.js';
export type * from './interfaces/plan-context.js';
export type * from './interfaces/plugin-command.js';
export type * from './interfaces/plugin-module.js';
export type * from './interfaces/provisioner.js';
export type * from './interfaces/run-events.js';
export type * from './interfaces/step-context.js';
export type * from './interfaces/step-sequence.js';
export type * from './interfaces/verifier.js';
export type * from './interfaces/volume.js';
export { imageName, timestampSuffix } from './naming/image-name.js';
export { IMAGE_NAMING_OPTIONS, imageNamingShape } from './naming/image-naming-config.js';
export { type BaseTagPrefix, parseTags, type StandardTagsInput, standardImageTags } from './naming/image-tags.js';
export { newestFirst } from './naming/newest-first.js';
export type { KeptResource } from './pipeline/cleanup-stack.js';
export { inventoryOrReason } from './pipeline/inventory-or-reason.js';
export { type PollOptions, pollUntil } from './pipeline/poll-until.js';
export { type RetryOptions, retryUntil } from './pipeline/retry-until.js';
export type { RunOutcome } from './pipeline/run-outcome.js';
export { sleep } from './pipeline/sleep.js';
// Declaring a plugin.
export { PLUGIN_API_VERSION } from './plugin/api-version.js';
export { definePlugin } from './plugin/define-plugin.js';
export { PLUGIN_KINDS, type PluginKind, type PluginKindMap } from './plugin/plugin-kinds.js';
export { RESERVED_FLAGS } from './plugin/reserved-flags.js';
// Runs and their owners: what `aminate cleanup` reads to tell a live run from a dead one.
export { isRunId, newRunId } from './reclaim/run-id.js';
export { isOwnerAlive, type RunOwner, readOwnerFile, runOwnerText } from './reclaim/run-owner.js';
// Files and locks, written the one safe way.
export { FileLockManager } from './runtime/file-lock-manager.js';
export { ignoreMissing, removeDirIfPresent, removeFileIfPresent } from './runtime/missing-ok.js';
export { type OutputFileOptions, writeOutputFile } from './runtime/output-file.js';
export { createExclusive, createExclusiveSync, readFileNoFollow, writeNewFile, writeNewFileSync } from './runtime/own-files.js';
export { plainText } from './runtime/plain-text.js';
export { assertPrivateDirectory, type PrivateDirectoryOptions } from './runtime/private-directory.js';
export { type ProcessRecord, processStartTicks } from './runtime/process-start.js';
export { textTable } from './runtime/text-table.js';
export { type WaitForLockOptions, waitForLock } from './runtime/wait-for-lock.js';
// Injection tokens: each kind, its config, and the services core provides.
export {
  CLOUD,
  CLOUD_CONFIG,
  COMMAND_RUNNER,
  FINALIZER,
  FINALIZER_CONFIG,
  LOCK_MANAGER,
  LOGGER,
  METRICS,
  METRICS_CONFIG,
  OS,
  OS_CONFIG,
  PROVISIONER,
  PROVISIONER_CONFIG,
  VERIFIER,
  VERIFIER_CONFIG,
  VOLUME,
  VOLUME_CONFIG,
} from './tokens.js';
export { PathTrust, type TrustProblem, UntrustedPathError } from './trust/trusted-path.js';
