import type { BakePlan } from './bake-plan.js';
import type { Leftover, LeftoverContext } from './leftover.js';
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
  /**
   * What bakes that died without cleaning up (kill -9, a crash, a reboot) left of this plugin's
   * resources; `aminate cleanup` reclaims them. Report only what no live run holds (`ctx.runs`).
   */
  findLeftovers?(ctx: LeftoverContext): Promise<readonly Leftover[]>;
}
