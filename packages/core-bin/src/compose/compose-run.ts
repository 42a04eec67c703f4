import {
  BAKE_SETTINGS, COMMAND_RUNNER, EVENT_SINK, EventLogger, ExecaCommandRunner, FileLockManager,
  LOCK_MANAGER, LOGGER, mergeLayers, PLUGIN_KINDS, pluginLabel, registerPlugin, resolvePlugin,
  validateCoreConfig, validatePluginConfig, type BakeSettings, type ConfigLayer, type CoreConfig, type EventSink, type Failpoint,
} from '@aminator/core';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Session } from '../cli/session.js';
import type { EnvironmentPlugins } from './load-environment.js';

export interface ComposeInput {
  readonly session: Session;
  readonly plugins: EnvironmentPlugins;
  /** Config layers from flags, on top of the files. */
  readonly flagLayers: readonly ConfigLayer[];
  readonly events: EventSink;
  readonly runId: string;
  readonly failpoints: readonly Failpoint[];
}

/**
 * The composition root of one run (a bake or a cleanup): a child container of its own, core's
 * services, then each selected plugin with its validated config. Nothing is registered in tsyringe's
 * global container.
 */
export async function composeRun(input: ComposeInput): Promise<{ container: DependencyContainer; core: CoreConfig }> {
  const merged = mergeLayers([...input.session.fileLayers, ...input.flagLayers]);
  const core = validateCoreConfig(merged);
  const configs = PLUGIN_KINDS.map((kind) => {
    const { plugin, module } = input.plugins[kind];
    return validatePluginConfig(merged, kind, plugin.name, module.configSchema);
  });
  const run = rootContainer.createChildContainer();
  const settings: BakeSettings = {
    workRoot: core.workRoot, abortGraceMs: core.abortGraceMs, failpoints: input.failpoints, runId: input.runId,
    plugins: Object.fromEntries(PLUGIN_KINDS.map((kind) => [kind, `${input.plugins[kind].plugin.name} (${input.plugins[kind].plugin.packageName}@${input.plugins[kind].plugin.version})`])),
  };
  run.register(BAKE_SETTINGS, { useValue: settings });
  run.register(EVENT_SINK, { useValue: input.events });
  run.register(LOGGER, { useValue: new EventLogger(input.events, input.runId) });
  run.register(COMMAND_RUNNER, { useClass: ExecaCommandRunner });
  run.register(LOCK_MANAGER, { useValue: new FileLockManager(core.lockDir, input.runId) });
  for (const [index, kind] of PLUGIN_KINDS.entries()) await registerPlugin(run, input.plugins[kind], configs[index]);
  for (const kind of PLUGIN_KINDS) resolvePlugin(run, kind, pluginLabel(input.plugins[kind].plugin));
  return { container: run, core };
}
