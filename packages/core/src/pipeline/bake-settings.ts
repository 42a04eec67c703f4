import type { Verifier } from '../interfaces/verifier.js';
import type { Failpoint } from './failpoints.js';

/** Core settings of a run, bound to BAKE_SETTINGS. */
export interface BakeSettings {
  /** Per-bake work directories are made under it (mode 0700). */
  readonly workRoot: string;
  /** Where the run's events are written as text (RunLogFile); named in a failed run's result. */
  readonly runLog?: string;
  /** How long a step may take to notice an interruption before cleanup starts without it. */
  readonly abortGraceMs: number;
  readonly failpoints: readonly Failpoint[];
  /** Fixed run id (tests); random when absent. */
  readonly runId?: string;
  /** `kind → name@version` of the selected plugins, for the run-start event. */
  readonly plugins?: Readonly<Record<string, string>>;
  /** `--verify`: the environment's verifier runs after finalize; `keepUnverified` keeps an image that failed it. */
  readonly verify?: { readonly verifier: Verifier; readonly keepUnverified: boolean };
}
