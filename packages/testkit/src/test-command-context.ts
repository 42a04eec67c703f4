import { ExecaCommandRunner, FileLockManager, type PluginCommandContext, runCommandSteps } from '@aminator/core/internal';
import { createTestStepContext, EventRecorder } from './test-step-context.js';

export interface TestCommandContext {
  readonly ctx: PluginCommandContext;
  /** Every event of the command's steps (`ctx.runSteps`). */
  readonly events: EventRecorder;
  readonly abort: AbortController;
  readonly logs: readonly string[];
}

/**
 * What `aminate` gives a plugin command, for tests of it: real commands and locks, and `runSteps`
 * through core's own `runCommandSteps` — the path the CLI takes — with the events recorded.
 */
export function createTestCommandContext<C = unknown>(options: {
  readonly command: string;
  readonly workRoot: string;
  readonly lockDir: string;
  readonly config?: C;
  readonly runId?: string;
  readonly failpoints?: string;
}): TestCommandContext {
  const { ctx: step, logs } = createTestStepContext();
  const events = new EventRecorder();
  const abort = new AbortController();
  const runId = options.runId ?? `test-${process.pid}-${Date.now().toString(36)}`;
  const locks = new FileLockManager(options.lockDir, runId);
  const ctx: PluginCommandContext = {
    config: options.config,
    json: false,
    debug: false,
    commands: new ExecaCommandRunner(step.log),
    locks,
    log: step.log,
    signal: abort.signal,
    print: () => undefined,
    runSteps: (spec, body) =>
      runCommandSteps(
        {
          runId,
          command: options.command,
          signal: abort.signal,
          events,
          locks,
          workRoot: options.workRoot,
          abortGraceMs: 1000,
          preserveOnError: false,
          failpoints: options.failpoints,
        },
        spec,
        body,
      ),
  };
  return { ctx, events, abort, logs };
}
