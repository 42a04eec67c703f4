import {
  AminatorError,
  CleanupStack,
  ErrorCodes,
  EXIT_INTERRUPTED,
  ExecaCommandRunner,
  FAILPOINTS_ENV,
  FileLockManager,
  type LoadedPlugin,
  newRunId,
  type PluginCommand,
  type PluginCommandContext,
  runCommandSteps,
  runLogPath,
  validatePluginConfig,
} from '@aminator/core';
import type { Session } from '../cli/session.js';
import { abortOnSignals } from '../cli/signals.js';
import { StderrLogger } from '../cli/stderr-logger.js';
import { RunDisplay } from '../render/run-display.js';

/**
 * Run a plugin's command with its validated config, core's services, signal handling and a cleanup
 * stack that is unwound whatever happens — the same guarantees a bake has. A command that runs steps
 * (`ctx.runSteps`) is shown and ended as a bake is: same renderer, events, run log and unwind.
 */
export async function runPluginCommand(
  spec: PluginCommand,
  loaded: LoadedPlugin,
  session: Session,
  args: readonly string[],
  options: Record<string, unknown>,
): Promise<number> {
  const { kind, name } = loaded.plugin;
  const config = validatePluginConfig(session.merged, kind, name, loaded.module.configSchema);
  const log = new StderrLogger(session.flags.debug);
  const controller = new AbortController();
  let display: RunDisplay | undefined;
  const removeHandlers = abortOnSignals(controller, (m) => (display ? display.renderer.notice(m) : log.warn(m)), { what: `aminate ${spec.name}` });
  const stack = new CleanupStack();
  // One run id for the command: its locks (a staged image's) and its steps' run lock name the same owner.
  const runId = newRunId();
  const locks = new FileLockManager(session.core.lockDir, runId);
  const ctx: PluginCommandContext = {
    config,
    json: session.flags.json,
    debug: session.flags.debug,
    log,
    signal: controller.signal,
    cleanup: stack,
    commands: new ExecaCommandRunner(log),
    locks,
    workRoot: session.core.workRoot,
    print: (value, text) => process.stdout.write(session.flags.json ? `${JSON.stringify(value, null, 2)}\n` : text.length > 0 ? `${text.join('\n')}\n` : ''),
    runSteps: async (runSpec, body) => {
      if (display) throw new AminatorError(`aminate ${spec.name} ran its steps twice`, { code: ErrorCodes.INTERNAL });
      display = new RunDisplay({ json: session.flags.json, debug: session.flags.debug });
      const runLog = runLogPath(session.core.workRoot, runId);
      display.keepLog(runLog);
      try {
        return await runCommandSteps(
          {
            runId,
            command: spec.name,
            signal: controller.signal,
            events: display.events,
            locks,
            workRoot: session.core.workRoot,
            abortGraceMs: session.core.abortGraceMs,
            preserveOnError: session.core.preserveOnError,
            failpoints: process.env[FAILPOINTS_ENV],
            runLog,
          },
          runSpec,
          body,
        );
      } finally {
        display.close();
      }
    },
  };
  try {
    const code = await (spec.run as NonNullable<PluginCommand['run']>)(args, options, ctx);
    await unwindOrReport(stack, 'success', log);
    return controller.signal.aborted ? EXIT_INTERRUPTED : code;
  } catch (error) {
    await unwindOrReport(stack, controller.signal.aborted ? 'interrupted' : 'failure', log);
    if (controller.signal.aborted) {
      log.failure(error);
      return EXIT_INTERRUPTED;
    }
    throw error;
  } finally {
    removeHandlers();
  }
}

async function unwindOrReport(stack: CleanupStack, reason: 'success' | 'failure' | 'interrupted', log: StderrLogger): Promise<void> {
  const report = await stack.unwind({ reason, onUndo: ({ entry, status }) => log.debug(`cleanup ${status}: ${entry.description}`) });
  for (const error of report.errors) log.failure(error);
}
