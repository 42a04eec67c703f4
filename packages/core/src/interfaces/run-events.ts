import type { BaseImage, ImageResult, InstalledPackage, PackageSpec } from './bake-types.js';
import type { ResourceRef } from './cleanup-scope.js';
import type { LogLevel } from './logger.js';
import type { VerificationResult } from './verifier.js';

export interface EventBase {
  /** ISO-8601 time the event was made. */
  readonly time: string;
  readonly runId: string;
}

/**
 * What a run does: `aminate bake`, `aminate verify`, `aminate boot`, or a plugin's command that runs
 * steps (`command`, named in the event: `aminate foundation`).
 */
export type RunKind = 'bake' | 'verify' | 'boot' | 'command';

export interface RunStartEvent extends EventBase {
  readonly type: 'run-start';
  readonly kind: RunKind;
  /** The plugin command of a `command` run: `foundation`. */
  readonly command?: string;
  /** The environment of a bake, `verify` or `boot`; empty for a plugin command. */
  readonly environment: string;
  /** The package spec of a bake; empty otherwise: `verify`, `boot` and commands name `image` instead. */
  readonly package: string;
  readonly image?: string;
  readonly steps: readonly string[];
  readonly plugins: Readonly<Record<string, string>>;
}

export interface StepStartEvent extends EventBase {
  readonly type: 'step-start';
  readonly step: string;
}

export interface StepEndEvent extends EventBase {
  readonly type: 'step-end';
  readonly step: string;
  readonly status: 'succeeded' | 'failed' | 'interrupted';
  readonly durationMs: number;
  /** Resources the step acquired (pushed an undo for, or reported). */
  readonly resources: readonly ResourceRef[];
  readonly error?: ErrorSummary;
}

export interface ResourceEvent extends EventBase {
  readonly type: 'resource';
  readonly action: 'acquired' | 'released' | 'kept' | 'release-failed';
  readonly resource: ResourceRef;
  readonly step?: string;
}

export interface ProgressEvent extends EventBase {
  readonly type: 'progress';
  readonly step: string;
  readonly message: string;
  readonly percent?: number;
}

export interface LogEvent extends EventBase {
  readonly type: 'log';
  readonly level: LogLevel;
  readonly message: string;
  readonly step?: string;
}

export interface CleanupEvent extends EventBase {
  readonly type: 'cleanup';
  readonly phase: 'start' | 'end';
  readonly reason: 'success' | 'failure' | 'interrupted' | 'teardown';
  readonly entries: number;
}

export interface UndoEvent extends EventBase {
  readonly type: 'undo';
  readonly description: string;
  readonly status: 'succeeded' | 'failed' | 'kept';
  readonly durationMs: number;
  readonly resource?: ResourceRef;
  readonly error?: ErrorSummary;
}

export interface ErrorSummary {
  readonly code: string;
  readonly message: string;
  readonly step?: string;
  readonly suggestions: readonly string[];
  /** Whether running the same thing again later may pass; then aminate exits 75. */
  readonly retryable?: boolean;
}

export interface StepTiming {
  readonly name: string;
  readonly durationMs: number;
}

export interface ResultEvent extends EventBase {
  readonly type: 'result';
  readonly kind: RunKind;
  readonly command?: string;
  readonly status: 'succeeded' | 'failed' | 'interrupted' | 'planned';
  /** The exit code `aminate` ends with for this run. */
  readonly exitCode: number;
  readonly image?: ImageResult;
  readonly package?: InstalledPackage;
  readonly durationMs: number;
  readonly steps: readonly StepTiming[];
  readonly error?: ErrorSummary;
  /** Resources left in place by `--preserve-on-error`, with how to remove them. */
  readonly kept?: ReadonlyArray<{ readonly description: string; readonly resource?: ResourceRef; readonly manual: ReadonlyArray<readonly string[]> }>;
  readonly cleanupErrors?: readonly ErrorSummary[];
  /** With `--dry-run`: what was resolved and what each plugin would do (`aminate verify`: lines only). */
  readonly plan?: { readonly spec?: PackageSpec; readonly baseImage?: BaseImage; readonly lines: readonly string[] };
  /** The checks the verifier ran, when it ran and passed. */
  readonly verification?: VerificationResult;
  /** What a plugin command says it made, for a person (`registered debian-12 (local-…) in /var/lib/…`). */
  readonly lines?: readonly string[];
  /** A failed or interrupted run's full log (every event, debug included), kept for the user to open. */
  readonly log?: string;
}

export type RunEvent = RunStartEvent | StepStartEvent | StepEndEvent | ResourceEvent | ProgressEvent | LogEvent | CleanupEvent | UndoEvent | ResultEvent;

/** Receives every event of a run; renderers and metrics subscribe through it. */
export interface EventSink {
  emit(event: RunEvent): void;
}
