import {
  AminatorError,
  ErrorCodes,
  EXIT_INTERRUPTED,
  FAILPOINTS_ENV,
  FileLockManager,
  type LoadedPlugin,
  loadPlugin,
  newRunId,
  type PluginCommand,
  type PluginCommandContext,
  ProcessCommandRunner,
  pluginInstance,
  runCommandSteps,
  runLogPath,
  selectPlugin,
  validatePluginConfig,
} from '@aminator/core/internal';
import type { Session } from '../cli/session.js';
import { sharedModulesHost } from '../cli/shared-modules.js';
import { abortOnSignals } from '../cli/signals.js';
import { StderrLogger } from '../cli/stderr-logger.js';
import { RunDisplay } from '../render/run-display.js';

/**
 * Run a plugin's command with its validated config, core's services and signal handling. What it
 * acquires it acquires in steps (`ctx.runSteps`): shown and ended as a bake is, with the same
 * renderer, events, run log and cleanup stack, unwound whatever happens.
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
  // One run id for the command: its locks (a staged image's) and its steps' run lock name the same owner.
  const runId = newRunId();
  const locks = new FileLockManager(session.core.lockDir, runId);
  const ctx: PluginCommandContext = {
    config,
    json: session.flags.json,
    debug: session.flags.debug,
    log,
    signal: controller.signal,
    commands: new ProcessCommandRunner(log),
    locks,
    plugin: async (kind, pluginName) => {
      const other = await loadPlugin(selectPlugin(session.discovery, kind, pluginName), await sharedModulesHost(session.discovery.plugins));
      const otherConfig = validatePluginConfig(session.merged, kind, pluginName, other.module.configSchema);
      return pluginInstance(other, otherConfig, { commands: new ProcessCommandRunner(log), locks, log });
    },
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
    return controller.signal.aborted ? EXIT_INTERRUPTED : code;
  } catch (error) {
    if (controller.signal.aborted) {
      log.failure(error);
      return EXIT_INTERRUPTED;
    }
    throw error;
  } finally {
    removeHandlers();
  }
}
