import type { Logger } from './logger.js';

/** What read-only plugin calls (base-image lookup, preflight checks) receive; no cleanup scope. */
export interface PlanContext {
  /** Random id of this bake; plugins put it in tags and work paths so parallel bakes never collide. */
  readonly runId: string;
  /** Aborted on SIGINT/SIGTERM/SIGHUP; pass it to every command and wait. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** True for `--dry-run`: look, change nothing. */
  readonly dryRun: boolean;
}
