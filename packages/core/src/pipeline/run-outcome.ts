import type { CleanupError } from '../errors/cleanup-error.js';
import type { BakePlan } from '../interfaces/bake-plan.js';
import type { ImageResult, InstalledPackage } from '../interfaces/bake-types.js';
import type { StepTiming } from '../interfaces/run-events.js';
import type { VerificationResult } from '../interfaces/verifier.js';
import type { KeptResource } from './cleanup-stack.js';

/** How a run (a bake, `verify`, `boot`, a plugin command's steps) ended; the CLI turns it into an exit code, the pipeline into the `result` event. */
export interface RunOutcome {
  readonly status: 'succeeded' | 'failed' | 'interrupted' | 'planned';
  readonly runId: string;
  readonly plan?: BakePlan;
  /** For `--dry-run`: what each plugin would do. */
  readonly planLines?: readonly string[];
  readonly image?: ImageResult;
  readonly package?: InstalledPackage;
  /** What the verifier checked, when it ran and passed. */
  readonly verification?: VerificationResult;
  /** What a plugin command's run says it made, for a person. */
  readonly lines?: readonly string[];
  /** The first error; cleanup errors are in `cleanupErrors`. */
  readonly error?: unknown;
  readonly cleanupErrors: readonly CleanupError[];
  readonly kept: readonly KeptResource[];
  readonly steps: readonly StepTiming[];
  readonly durationMs: number;
  readonly exitCode: number;
}
