import {
  type DiscoveredPlugin,
  FileLockManager,
  type PluginCommandContext,
  PluginLoadError,
  type PluginModule,
  ProcessCommandRunner,
  pluginInstance,
  runCommandSteps,
} from '@aminator/core/internal';
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
  /** The plugins `ctx.plugin(kind, name)` may hand out, with their config sections (default: `{}`). */
  readonly plugins?: readonly PluginModule[];
  readonly pluginConfigs?: Readonly<Record<string, unknown>>;
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
    commands: new ProcessCommandRunner(step.log),
    locks,
    log: step.log,
    signal: abort.signal,
    print: () => undefined,
    plugin: async (kind, name) => {
      const module = options.plugins?.find((m) => m.kind === kind && m.name === name);
      if (!module) throw new PluginLoadError('resolve', `${kind}/${name}`, 'not among the test command context plugins');
      const parsed = module.configSchema.safeParse(options.pluginConfigs?.[`${kind}/${name}`] ?? {});
      if (!parsed.success) throw new Error(`config of ${kind}/${name} refused: ${JSON.stringify(parsed.error)}`);
      const plugin = { kind, name, packageName: `test:${name}` } as DiscoveredPlugin;
      return pluginInstance({ plugin, module }, parsed.data, { commands: new ProcessCommandRunner(step.log), locks, log: step.log });
    },
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
