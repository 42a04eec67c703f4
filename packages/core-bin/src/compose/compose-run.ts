import { type DependencyContainer, container as rootContainer } from '@aminator/core';
import {
  BAKE_SETTINGS,
  type BakeSettings,
  COMMAND_RUNNER,
  type ConfigLayer,
  type CoreConfig,
  EVENT_SINK,
  EventLogger,
  type EventSink,
  type Failpoint,
  FileLockManager,
  kindsIn,
  LOCK_MANAGER,
  LOGGER,
  type LoadedPlugin,
  mergeLayers,
  ProcessCommandRunner,
  pluginLabel,
  registerPlugin,
  resolvePlugin,
  runLogPath,
  type Verifier,
  validateCoreConfig,
  validatePluginConfig,
} from '@aminator/core/internal';
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
  /** `--verify` (and `--keep-unverified`): compose the environment's verifier into the bake. */
  readonly verify?: { readonly keepUnverified: boolean };
}

/**
 * The composition root of one run (a bake or a cleanup): a child container of its own, core's
 * services, then each selected plugin with its validated config. Nothing is registered in tsyringe's
 * global container.
 */
export async function composeRun(input: ComposeInput): Promise<{ container: DependencyContainer; core: CoreConfig }> {
  const merged = mergeLayers([...input.session.fileLayers, ...input.flagLayers]);
  const core = validateCoreConfig(merged);
  // The verifier takes part only when asked for: without --verify it is not even registered.
  const kinds = kindsIn(input.plugins).filter((kind) => kind !== 'verifier' || input.verify);
  const loadedOf = (kind: (typeof kinds)[number]): LoadedPlugin => input.plugins[kind] as LoadedPlugin;
  const configs = kinds.map((kind) => validatePluginConfig(merged, kind, loadedOf(kind).plugin.name, loadedOf(kind).module.configSchema));
  const run = rootContainer.createChildContainer();
  const plugins = Object.fromEntries(
    kinds.map((kind) => [kind, `${loadedOf(kind).plugin.name} (${loadedOf(kind).plugin.packageName}@${loadedOf(kind).plugin.version})`]),
  );
  const settings: BakeSettings = {
    workRoot: core.workRoot,
    runLog: runLogPath(core.workRoot, input.runId),
    abortGraceMs: core.abortGraceMs,
    failpoints: input.failpoints,
    runId: input.runId,
    plugins,
  };
  run.register(BAKE_SETTINGS, { useValue: settings });
  run.register(EVENT_SINK, { useValue: input.events });
  run.register(LOGGER, { useValue: new EventLogger(input.events, input.runId) });
  run.register(COMMAND_RUNNER, { useClass: ProcessCommandRunner });
  run.register(LOCK_MANAGER, { useValue: new FileLockManager(core.lockDir, input.runId) });
  for (const [index, kind] of kinds.entries()) await registerPlugin(run, loadedOf(kind), configs[index]);
  const resolved = kinds.map((kind) => resolvePlugin(run, kind, pluginLabel(loadedOf(kind).plugin)));
  const verifier = resolved[kinds.indexOf('verifier')] as Verifier | undefined;
  if (verifier && input.verify) run.register(BAKE_SETTINGS, { useValue: { ...settings, verify: { verifier, keepUnverified: input.verify.keepUnverified } } });
  return { container: run, core };
}
