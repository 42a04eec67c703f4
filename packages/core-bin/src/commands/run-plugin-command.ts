import {
  CleanupStack,
  EXIT_INTERRUPTED,
  ExecaCommandRunner,
  FileLockManager,
  type LoadedPlugin,
  newRunId,
  type PluginCommand,
  type PluginCommandContext,
  validatePluginConfig,
} from '@aminator/core';
import type { Session } from '../cli/session.js';
import { abortOnSignals } from '../cli/signals.js';
import { StderrLogger } from '../cli/stderr-logger.js';

/**
 * Run a plugin's command with its validated config, core's services, signal handling and a cleanup
 * stack that is unwound whatever happens — the same guarantees a bake has.
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
  const removeHandlers = abortOnSignals(controller, (m) => log.warn(m), { what: `aminate ${spec.name}` });
  const stack = new CleanupStack();
  const ctx: PluginCommandContext = {
    config,
    json: session.flags.json,
    debug: session.flags.debug,
    log,
    signal: controller.signal,
    cleanup: stack,
    commands: new ExecaCommandRunner(log),
    locks: new FileLockManager(session.core.lockDir, newRunId()),
    workRoot: session.core.workRoot,
    print: (value, text) => process.stdout.write(session.flags.json ? `${JSON.stringify(value, null, 2)}\n` : text.length > 0 ? `${text.join('\n')}\n` : ''),
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
