import { formatError, type SelectedEnvironment } from '@aminator/core/host';
import type { Command } from 'commander';
import type { GlobalFlags } from '../cli/global-flags.js';
import type { Session } from '../cli/session.js';
import { type EnvironmentPlugins, loadEnvironment } from './load-environment.js';
import { addPluginFlags, collectFlagBindings, type FlagBinding } from './plugin-flags.js';

export interface LoadedEnvironment {
  readonly env: SelectedEnvironment;
  readonly plugins: EnvironmentPlugins;
  readonly bindings: FlagBinding[];
}

/**
 * Load the selected environment's plugins and add the flags `which` keeps to `command`. When loading
 * fails under --help, the help still shows, with the reason the flags are missing; otherwise it throws.
 */
export async function addEnvironmentFlags(
  command: Command,
  flags: GlobalFlags,
  session: () => Promise<Session>,
  which: (binding: FlagBinding) => boolean,
  label: string,
): Promise<LoadedEnvironment | undefined> {
  try {
    const { env, plugins } = await loadEnvironment(await session(), flags.environment);
    const bindings = collectFlagBindings(plugins, command).filter(which);
    addPluginFlags(command, bindings);
    return { env, plugins, bindings };
  } catch (error) {
    if (!flags.help) throw error;
    command.addHelpText('after', `\n${label} are not shown: the environment's plugins could not be loaded:\n${formatError(error)}`);
    return undefined;
  }
}

/** The flags that matter to a run on an existing image (`verify`, `boot`): where the image is, and how it is checked. */
export function imageRunFlags(binding: FlagBinding): boolean {
  return binding.kind === 'cloud' || binding.kind === 'verifier';
}
