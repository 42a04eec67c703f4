import type { AminatorError } from '../errors/aminator-error.js';
import { summarizeError } from '../errors/format-error.js';
import { InterruptedError } from '../errors/interrupted-error.js';
import { StepFailedError } from '../errors/step-failed-error.js';
import type { ResourceRef, UndoEntry } from '../interfaces/cleanup-scope.js';
import type { Metrics } from '../interfaces/metrics.js';
import type { EventSink, StepTiming } from '../interfaces/run-events.js';
import type { StepContext } from '../interfaces/step-context.js';
import { EventLogger } from '../runtime/event-logger.js';
import { settleOrAbort } from './abortable.js';
import { CleanupStack } from './cleanup-stack.js';
import { type Failpoint, triggerFailpoint } from './failpoints.js';

export interface StepRunnerOptions {
  readonly runId: string;
  readonly signal: AbortSignal;
  readonly events: EventSink;
  /** Step timers; a plugin command's run has no environment, so no metrics plugin. */
  readonly metrics?: Metrics;
  readonly workDir: string;
  readonly dryRun: boolean;
  readonly abortGraceMs: number;
  readonly failpoints: readonly Failpoint[];
}

/**
 * Runs the named steps of one run (a bake's, or a plugin command's): events and timings for each, failpoints, the abort race, and the
 * cleanup stack every step's context pushes onto.
 */
export class StepRunner {
  readonly stack: CleanupStack;
  private readonly timings: StepTiming[] = [];
  private readonly logger: EventLogger;
  private current: { step: string; resources: ResourceRef[] } | undefined;
  /** Aborted by a plugin's `abortRun`: the run fails with its reason; the options' signal means interrupted. */
  private readonly stopped = new AbortController();
  /** What steps see: aborted by a signal to the process or by `abortRun`, whichever comes first. */
  private readonly signal: AbortSignal;

  constructor(private readonly options: StepRunnerOptions) {
    this.logger = new EventLogger(options.events, options.runId);
    this.stack = new CleanupStack((entry) => this.onPush(entry));
    this.signal = AbortSignal.any([options.signal, this.stopped.signal]);
  }

  get steps(): readonly StepTiming[] {
    return [...this.timings];
  }

  get runId(): string {
    return this.options.runId;
  }

  async run<T>(step: string, work: (ctx: StepContext) => Promise<T>): Promise<T> {
    const { signal } = this;
    if (this.options.signal.aborted) throw this.options.signal.reason;
    if (signal.aborted) throw new StepFailedError(step, signal.reason);
    this.current = { step, resources: [] };
    this.emitStep({ type: 'step-start', step });
    const started = performance.now();
    try {
      const value = await settleOrAbort(this.start(step, work), signal, this.options.abortGraceMs);
      this.finish(step, started, 'succeeded');
      return value;
    } catch (cause) {
      const interrupted = this.options.signal.aborted;
      const error = interrupted
        ? interruptedIn(step, this.options.signal.reason)
        : new StepFailedError(step, this.stopped.signal.aborted ? this.stopped.signal.reason : cause);
      this.finish(step, started, interrupted ? 'interrupted' : 'failed', error);
      throw error;
    } finally {
      this.current = undefined;
    }
  }

  private async start<T>(step: string, work: (ctx: StepContext) => Promise<T>): Promise<T> {
    await triggerFailpoint(this.options.failpoints, step, this.options.signal);
    return work(this.context(step));
  }

  private context(step: string): StepContext {
    const { runId, workDir, dryRun } = this.options;
    return {
      runId,
      signal: this.signal,
      workDir,
      dryRun,
      cleanup: this.stack,
      log: this.logger.forStep(step),
      resource: (ref) => this.noteResource(ref),
      progress: (message, percent) => this.emitStep({ type: 'progress', step, message, percent }),
      abortRun: (reason) => this.abortRun(reason),
    };
  }

  private abortRun(reason: AminatorError): void {
    if (this.signal.aborted) return;
    this.logger.forStep(this.current?.step ?? 'run').warn(`stopping the run: ${reason.message}`);
    this.stopped.abort(reason);
  }

  private onPush(entry: UndoEntry): void {
    if (entry.resource) this.noteResource(entry.resource);
  }

  private noteResource(resource: ResourceRef): void {
    this.current?.resources.push(resource);
    this.options.events.emit({ type: 'resource', time: now(), runId: this.options.runId, action: 'acquired', resource, step: this.current?.step });
  }

  private finish(step: string, started: number, status: 'succeeded' | 'failed' | 'interrupted', error?: unknown): void {
    const durationMs = Math.round(performance.now() - started);
    this.timings.push({ name: step, durationMs });
    this.options.metrics?.timer('aminator.step.duration', durationMs, { step, status });
    this.options.events.emit({
      type: 'step-end',
      time: now(),
      runId: this.options.runId,
      step,
      status,
      durationMs,
      resources: this.current?.resources ?? [],
      error: error === undefined ? undefined : summarizeError(error),
    });
  }

  private emitStep(event: { type: 'step-start'; step: string } | { type: 'progress'; step: string; message: string; percent?: number }): void {
    this.options.events.emit({ ...event, time: now(), runId: this.options.runId });
  }
}

function interruptedIn(step: string, reason: unknown): InterruptedError {
  return new InterruptedError(reason instanceof InterruptedError ? reason.signal : 'abort', step);
}

function now(): string {
  return new Date().toISOString();
}
