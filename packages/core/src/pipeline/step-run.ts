import { join } from 'node:path';
import { isAminatorError } from '../errors/aminator-error.js';
import type { CleanupError } from '../errors/cleanup-error.js';
import { EXIT_INTERRUPTED } from '../errors/exit-codes.js';
import { summarizeError } from '../errors/format-error.js';
import type { LockManager } from '../interfaces/lock-manager.js';
import type { Metrics } from '../interfaces/metrics.js';
import type { EventSink, RunStartEvent } from '../interfaces/run-events.js';
import type { StepContext } from '../interfaces/step-context.js';
import type { StepSequence } from '../interfaces/step-sequence.js';
import { keepsRunLog } from '../runtime/run-log-file.js';
import type { UnwindOptions, UnwindReport } from './cleanup-stack.js';
import type { Failpoint } from './failpoints.js';
import { holdRunLock, makeRunWorkDir } from './run-frame.js';
import type { RunOutcome } from './run-outcome.js';
import { StepRunner } from './step-runner.js';

export interface StepRunOptions {
  readonly runId: string;
  readonly signal: AbortSignal;
  readonly events: EventSink;
  /** The environment's metrics plugin; a plugin command's run has none. */
  readonly metrics?: Metrics;
  readonly locks: LockManager;
  /** Where the run's private work directory goes (`<workRoot>/<runId>`). */
  readonly workRoot: string;
  readonly abortGraceMs: number;
  readonly failpoints: readonly Failpoint[];
  /** Where a failed run's full log is kept, for the result to name. */
  readonly runLog?: string;
  /** `kind → name@version` of the plugins taking part, for the run-start event. */
  readonly plugins?: Readonly<Record<string, string>>;
}

/** What a run is, for its first and last events. */
/** What a run is, as its `run-start` event announces it (the steps: a dry run's are `plan` only), and how it ends. */
export type RunSpec = Pick<RunStartEvent, 'kind' | 'command' | 'environment' | 'package' | 'image' | 'steps'> & {
  readonly dryRun: boolean;
  readonly preserveOnError: boolean;
};

/** How the body of a run ended when it did not throw. */
export type RunEnd = Omit<RunOutcome, 'steps' | 'durationMs' | 'runId'>;

/** What a run has made so far: a failed run's result still names it. */
export type RunProgress = { -readonly [K in 'plan' | 'planLines' | 'image' | 'package' | 'verification']?: RunOutcome[K] };

/**
 * One run with named steps — a bake, `aminate verify`/`boot`, or a plugin command such as `aminate
 * foundation`: the run-start event, the steps (through StepRunner), and on any failure or signal the
 * unwind of everything acquired (each undo an event; `--preserve-on-error` keeps what it may), then
 * metrics and the result event. Every kind of run ends the same way because this is the only place
 * that ends one.
 */
export class StepRun implements StepSequence {
  readonly progress: RunProgress = {};
  private readonly runner: StepRunner;
  /** Undo errors after the first of an unwind that had to throw, until the result reports them. */
  private readonly unreported: CleanupError[] = [];

  private constructor(
    private readonly options: StepRunOptions,
    dryRun: boolean,
  ) {
    this.runner = new StepRunner({
      runId: options.runId,
      signal: options.signal,
      events: options.events,
      metrics: options.metrics,
      workDir: join(options.workRoot, options.runId),
      dryRun,
      abortGraceMs: options.abortGraceMs,
      failpoints: options.failpoints,
    });
  }

  /** Run `body` as the run `spec` describes; never throws for what happens inside: the outcome says. */
  static async execute(options: StepRunOptions, spec: RunSpec, body: (run: StepRun) => Promise<RunEnd>): Promise<RunOutcome> {
    const run = new StepRun(options, spec.dryRun);
    const started = performance.now();
    options.events.emit({
      type: 'run-start',
      kind: spec.kind,
      command: spec.command,
      time: new Date().toISOString(),
      runId: options.runId,
      environment: spec.environment,
      package: spec.package,
      image: spec.image,
      steps: [...spec.steps],
      plugins: options.plugins ?? {},
    });
    let end: RunEnd;
    try {
      end = await body(run);
    } catch (error) {
      end = await run.fail(error, spec.preserveOnError);
    }
    const outcome: RunOutcome = {
      ...end,
      runId: options.runId,
      steps: run.runner.steps,
      durationMs: Math.round(performance.now() - started),
    };
    await run.report(outcome, spec);
    return outcome;
  }

  get runId(): string {
    return this.options.runId;
  }

  step<T>(name: string, work: (ctx: StepContext) => Promise<T>): Promise<T> {
    return this.runner.run(name, work);
  }

  async frame(ctx: StepContext): Promise<string> {
    await holdRunLock(this.options.locks, ctx);
    return makeRunWorkDir(this.options.workRoot, ctx);
  }

  mark(): number {
    return this.runner.stack.mark();
  }

  release(mark: number): Promise<void> {
    return this.unwindOrThrow({ reason: 'teardown', downTo: mark });
  }

  /** The `cleanup` step: undo everything still held; the first undo error fails the step, none is dropped. */
  cleanup(): Promise<void> {
    return this.step('cleanup', () => this.unwindOrThrow({ reason: 'success' }));
  }

  /** Throws the first undo error; the others are kept for the run's result (none is dropped). */
  private async unwindOrThrow(options: UnwindOptions): Promise<void> {
    const [first, ...others] = (await this.unwind(options)).errors;
    this.unreported.push(...others);
    if (first !== undefined) throw first;
  }

  private async fail(error: unknown, preserve: boolean): Promise<RunEnd> {
    const interrupted = this.options.signal.aborted;
    const report = await this.unwind({ reason: interrupted ? 'interrupted' : 'failure', preserve });
    return {
      status: interrupted ? 'interrupted' : 'failed',
      plan: this.progress.plan,
      planLines: this.progress.planLines,
      image: this.progress.image,
      package: this.progress.package,
      error,
      cleanupErrors: [...this.unreported.splice(0), ...report.errors],
      kept: report.kept,
      exitCode: interrupted ? EXIT_INTERRUPTED : isAminatorError(error) ? error.exitCode : 1,
    };
  }

  private unwind(options: UnwindOptions): Promise<UnwindReport> {
    const { events, runId } = this.options;
    return this.runner.stack.unwind({
      ...options,
      onUndo: ({ entry, status, durationMs, error }) => {
        const time = new Date().toISOString();
        events.emit({
          type: 'undo',
          time,
          runId,
          description: entry.description,
          status,
          durationMs,
          resource: entry.resource,
          error: error && summarizeError(error),
        });
        if (entry.resource) {
          const action = status === 'succeeded' ? 'released' : status === 'kept' ? 'kept' : 'release-failed';
          events.emit({ type: 'resource', time, runId, action, resource: entry.resource });
        }
      },
    });
  }

  private async report(outcome: RunOutcome, spec: RunSpec): Promise<void> {
    const { metrics } = this.options;
    if (metrics) {
      metrics.counter('aminator.run.count', 1, { kind: spec.kind, status: outcome.status });
      metrics.timer('aminator.run.duration', outcome.durationMs, { kind: spec.kind, status: outcome.status });
      try {
        await metrics.flush();
      } catch {
        // Losing a metric must never change how a run ended.
      }
    }
    this.options.events.emit({
      type: 'result',
      kind: spec.kind,
      command: spec.command,
      exitCode: outcome.exitCode,
      time: new Date().toISOString(),
      runId: outcome.runId,
      status: outcome.status,
      image: outcome.image,
      package: outcome.package,
      durationMs: outcome.durationMs,
      steps: outcome.steps,
      error: outcome.error === undefined ? undefined : summarizeError(outcome.error),
      verification: outcome.verification,
      lines: outcome.lines,
      log: keepsRunLog(outcome) ? this.options.runLog : undefined,
      kept: outcome.kept.length > 0 ? outcome.kept : undefined,
      cleanupErrors: outcome.cleanupErrors.length > 0 ? outcome.cleanupErrors.map(summarizeError) : undefined,
      plan: outcome.status === 'planned' ? { spec: outcome.plan?.spec, baseImage: outcome.plan?.baseImage, lines: outcome.planLines ?? [] } : undefined,
    });
  }
}
