import type { DependencyContainer } from '../di/dependency-injection.js';
import { PluginLoadError } from '../errors/plugin-load-error.js';
import { KIND_CONFIG_TOKENS, KIND_METHODS, KIND_TOKENS, type PluginKind, type PluginKindMap } from './plugin-kinds.js';
import { type LoadedPlugin, pluginLabel } from './plugin-loader.js';

/**
 * The last load phase: bind the plugin's validated config to its kind's config token, call its
 * `register`, and check that it bound the kind's token.
 */
export async function registerPlugin(container: DependencyContainer, loaded: LoadedPlugin, config: unknown): Promise<void> {
  const { kind } = loaded.plugin;
  const label = pluginLabel(loaded.plugin);
  container.register(KIND_CONFIG_TOKENS[kind], { useValue: config });
  try {
    await loaded.module.register(container, config);
  } catch (cause) {
    throw new PluginLoadError('register', label, `register() threw: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
  if (!container.isRegistered(KIND_TOKENS[kind], false)) {
    throw new PluginLoadError('register', label, `register() did not bind the ${kind} token`, {
      suggestions: [`call container.register(${kind.toUpperCase()}, { useClass: … }) in register()`],
    });
  }
}

/**
 * Resolve a kind's instance, check it has the kind's methods, and pin it in the container so that
 * everything in the run (the pipeline, a finalizer that injects the cloud) shares one instance.
 */
export function resolvePlugin<K extends PluginKind>(container: DependencyContainer, kind: K, label: string): PluginKindMap[K] {
  let instance: unknown;
  try {
    instance = container.resolve(KIND_TOKENS[kind]);
  } catch (cause) {
    throw new PluginLoadError('register', label, `cannot construct the ${kind}: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
      suggestions: ['every constructor parameter needs @inject(TOKEN) with a token from @aminator/core'],
    });
  }
  const missing = KIND_METHODS[kind].filter((m) => typeof (instance as Record<string, unknown>)?.[m] !== 'function');
  if (missing.length > 0) {
    throw new PluginLoadError('register', label, `the ${kind} instance lacks ${missing.join(', ')}`);
  }
  container.register(KIND_TOKENS[kind], { useValue: instance });
  return instance as PluginKindMap[K];
}
