import { CleanupStack, type Logger, type RunEvent, type StepContext } from '@aminator/core/internal';

export interface TestStepContext {
  readonly ctx: StepContext;
  readonly stack: CleanupStack;
  readonly logs: string[];
  readonly progress: string[];
  readonly abort: AbortController;
}

/** A StepContext over a real CleanupStack, for testing one plugin method at a time. */
export function createTestStepContext(options: { workDir?: string; runId?: string; dryRun?: boolean } = {}): TestStepContext {
  const stack = new CleanupStack();
  const logs: string[] = [];
  const progress: string[] = [];
  const abort = new AbortController();
  const log: Logger = {
    debug: (m) => logs.push(`debug ${m}`),
    info: (m) => logs.push(`info ${m}`),
    warn: (m) => logs.push(`warn ${m}`),
    error: (m) => logs.push(`error ${m}`),
  };
  const ctx: StepContext = {
    runId: options.runId ?? 'test',
    signal: abort.signal,
    log,
    cleanup: stack,
    dryRun: options.dryRun ?? false,
    workDir: options.workDir ?? '/nonexistent/aminator-test-workdir',
    resource: () => undefined,
    progress: (message) => progress.push(message),
    abortRun: (reason) => abort.abort(reason),
  };
  return { ctx, stack, logs, progress, abort };
}

/** Collects events for assertions. */
export class EventRecorder {
  readonly events: RunEvent[] = [];
  emit(event: RunEvent): void {
    this.events.push(event);
  }
  ofType<T extends RunEvent['type']>(type: T): Array<Extract<RunEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
  }
}
