import type { StepContext } from './step-context.js';

/**
 * A run's named steps, as a bake takes them: each step's start, end, resources and progress are
 * events; a failpoint may fire at its start; a signal aborts it (the step gets a grace period to
 * settle); everything a step pushes on its context's cleanup scope is undone when the run fails, is
 * interrupted, or reaches its `cleanup` step.
 */
export interface StepSequence {
  readonly runId: string;
  step<T>(name: string, work: (ctx: StepContext) => Promise<T>): Promise<T>;
  /**
   * The run's frame, taken inside the first step that acquires anything: the run lock (`aminate
   * cleanup` leaves a live run alone) and its private work directory `ctx.workDir`, with an owner file.
   */
  frame(ctx: StepContext): Promise<string>;
  /** A point on the cleanup stack, for `release(mark)`. */
  mark(): number;
  /** Undo what was acquired after `mark`, newest first (a bake's `teardown`); the first undo error is thrown. */
  release(mark: number): Promise<void>;
}
