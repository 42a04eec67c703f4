import type { BakePlan } from './bake-plan.js';
import type { PlanContext } from './plan-context.js';

/** Hooks every plugin kind may implement besides its own methods. */
export interface BakePlugin {
  /**
   * Check inputs and the host before anything is acquired (tools installed, names free, sizes sane).
   * Throw a UsageError (exit 2) for bad input. Runs in `--dry-run` too, so it must change nothing.
   */
  preflight?(plan: BakePlan, ctx: PlanContext): Promise<void>;
  /** Lines describing what this plugin will do, printed by `--dry-run`. */
  describePlan?(plan: BakePlan): readonly string[];
}
