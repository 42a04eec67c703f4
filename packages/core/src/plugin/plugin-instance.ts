import { container as rootContainer } from '../di/dependency-injection.js';
import type { CommandRunner } from '../interfaces/command-runner.js';
import type { LockManager } from '../interfaces/lock-manager.js';
import type { Logger } from '../interfaces/logger.js';
import { COMMAND_RUNNER, LOCK_MANAGER, LOGGER } from '../tokens.js';
import type { PluginKind, PluginKindMap } from './plugin-kinds.js';
import { type LoadedPlugin, pluginLabel } from './plugin-loader.js';
import { registerPlugin, resolvePlugin } from './register-plugin.js';

export interface PluginServices {
  readonly commands: CommandRunner;
  readonly locks: LockManager;
  readonly log: Logger;
}

/**
 * One plugin on its own, outside a bake — what a plugin command asks for (`ctx.plugin`): a container
 * of its own with core's services and the plugin's validated config, then the same register and
 * resolve phases a bake runs.
 */
export async function pluginInstance<K extends PluginKind>(loaded: LoadedPlugin, config: unknown, services: PluginServices): Promise<PluginKindMap[K]> {
  const container = rootContainer.createChildContainer();
  container.register(COMMAND_RUNNER, { useValue: services.commands });
  container.register(LOCK_MANAGER, { useValue: services.locks });
  container.register(LOGGER, { useValue: services.log });
  await registerPlugin(container, loaded, config);
  return resolvePlugin(container, loaded.plugin.kind as K, pluginLabel(loaded.plugin));
}
