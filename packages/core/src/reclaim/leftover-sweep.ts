import { inject, injectable } from '../di/dependency-injection.js';
import { summarizeError } from '../errors/format-error.js';
import { LockError } from '../errors/lock-error.js';
import type { BakePlugin } from '../interfaces/bake-plugin.js';
import type { CommandRunner } from '../interfaces/command-runner.js';
import type { Leftover, LeftoverContext, LeftoverPhase } from '../interfaces/leftover.js';
import type { LockManager } from '../interfaces/lock-manager.js';
import type { Logger } from '../interfaces/logger.js';
import type { ErrorSummary } from '../interfaces/run-events.js';
import type { BakeSettings } from '../pipeline/bake-settings.js';
import { BAKE_SETTINGS, CLOUD, COMMAND_RUNNER, FINALIZER, LOCK_MANAGER, LOGGER, OS, PROVISIONER, VOLUME } from '../tokens.js';
import { findCoreLeftovers } from './core-leftovers.js';
import { inReclaimOrder } from './leftover-phases.js';
import { LockRunLiveness } from './run-liveness.js';

/** One leftover and what became of it. */
export interface SweepEntry {
  readonly phase: LeftoverPhase;
  readonly kind: string;
  readonly id: string;
  readonly reason: string;
  readonly runId?: string;
  /** `found` in a dry run. */
  readonly status: 'found' | 'reclaimed' | 'failed';
  readonly durationMs: number;
  readonly error?: ErrorSummary;
}

export interface SweepOptions {
  readonly dryRun: boolean;
  /** Also what other hosts left whose lease has run out (`LeftoverContext.expired`). */
  readonly expired?: boolean;
  readonly signal: AbortSignal;
  readonly onEntry?: (entry: SweepEntry) => void;
}

const SWEEP_LOCK = 'aminate-cleanup';

/**
 * `aminate cleanup`: ask core and every plugin of the environment for what dead bakes left, then
 * reclaim it holders-first. One sweep at a time per host; a live bake's resources are never listed.
 */
@injectable()
export class LeftoverSweep {
  private readonly plugins: readonly BakePlugin[];

  constructor(
    @inject(CLOUD) cloud: BakePlugin,
    @inject(VOLUME) volume: BakePlugin,
    @inject(OS) os: BakePlugin,
    @inject(PROVISIONER) provisioner: BakePlugin,
    @inject(FINALIZER) finalizer: BakePlugin,
    @inject(LOCK_MANAGER) private readonly locks: LockManager,
    @inject(COMMAND_RUNNER) private readonly commands: CommandRunner,
    @inject(LOGGER) private readonly log: Logger,
    @inject(BAKE_SETTINGS) private readonly settings: BakeSettings,
  ) {
    this.plugins = [cloud, volume, os, provisioner, finalizer, ...(settings.verify ? [settings.verify.verifier] : [])];
  }

  async sweep(options: SweepOptions): Promise<SweepEntry[]> {
    const guard = await this.locks.tryAcquire(SWEEP_LOCK);
    if (!guard) throw new LockError('another `aminate cleanup` is running on this host', ['wait for it to finish, then run cleanup again if needed']);
    try {
      const leftovers = await this.find(options.signal, options.expired === true);
      const entries: SweepEntry[] = [];
      for (const leftover of leftovers) {
        // Stop between leftovers, never inside one: a half-reclaimed resource helps nobody.
        if (options.signal.aborted) break;
        const entry = options.dryRun ? describe(leftover, 'found', 0) : await reclaim(leftover);
        entries.push(entry);
        options.onEntry?.(entry);
      }
      return entries;
    } finally {
      await guard.release();
    }
  }

  private async find(signal: AbortSignal, expired: boolean): Promise<Leftover[]> {
    const ctx: LeftoverContext = {
      workRoot: this.settings.workRoot,
      runs: new LockRunLiveness(this.locks, this.settings.workRoot),
      locks: this.locks,
      commands: this.commands,
      log: this.log,
      signal,
      expired,
    };
    const found = await Promise.all([findCoreLeftovers(ctx), ...unique(this.plugins).map(async (plugin) => plugin.findLeftovers?.(ctx) ?? [])]);
    const seen = new Set<string>();
    const leftovers = found.flat().filter((l) => {
      const key = `${l.kind}:${l.id}`;
      if (seen.has(key) || l.id === SWEEP_LOCK) return false;
      seen.add(key);
      return true;
    });
    return inReclaimOrder(leftovers);
  }
}

async function reclaim(leftover: Leftover): Promise<SweepEntry> {
  const started = performance.now();
  try {
    await leftover.reclaim();
    return describe(leftover, 'reclaimed', performance.now() - started);
  } catch (error) {
    return { ...describe(leftover, 'failed', performance.now() - started), error: summarizeError(error) };
  }
}

function describe(leftover: Leftover, status: SweepEntry['status'], durationMs: number): SweepEntry {
  const { phase, kind, id, reason, runId } = leftover;
  return { phase, kind, id, reason, runId, status, durationMs: Math.round(durationMs) };
}

/** A plugin object may serve two kinds; ask it once. */
function unique(plugins: readonly BakePlugin[]): BakePlugin[] {
  return [...new Set(plugins)];
}
