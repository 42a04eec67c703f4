import type { AminatorError } from '../errors/aminator-error.js';
import type { CleanupScope, ResourceRef } from './cleanup-scope.js';
import type { PlanContext } from './plan-context.js';

/**
 * What every step method of a plugin receives: the run's identity, its abort signal, the cleanup
 * scope to register undos on, and ways to report progress.
 */
export interface StepContext extends PlanContext {
  readonly cleanup: CleanupScope;
  /** A directory private to this bake for mount points and temp files. */
  readonly workDir: string;
  /** Report a resource acquired, for the event stream and `aminate cleanup`. */
  resource(ref: ResourceRef): void;
  /** Report progress of a long step (a snapshot, a download). */
  progress(message: string, percent?: number): void;
  /**
   * End the whole run from outside the step's own code path (a timer, a watcher) when it must not go
   * on: the run's signal aborts with `reason`, the step in progress (or the next one) fails with it,
   * and everything acquired is undone as for any failure. The run ends `failed`, not `interrupted`.
   */
  abortRun(reason: AminatorError): void;
}
