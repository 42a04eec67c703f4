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
}
