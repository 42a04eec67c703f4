import { type DiscoveredPlugin, loadPlugin, type PluginCommand, PluginLoadError } from '@aminator/core/host';
import { Command, Option } from 'commander';
import { BUILT_IN_COMMANDS } from './built-in-commands.js';
import type { GlobalFlags } from './global-flags.js';
import type { Session } from './session.js';
import { sharedModulesHost } from './shared-modules.js';

/**
 * Commands plugins add. Listed from manifests alone; the plugin is imported only when its command is
 * the one being run (or asked for help), so `aminate --help` stays fast.
 */
export async function pluginCommands(flags: GlobalFlags, session: Session, setExit: (code: number) => void): Promise<Command[]> {
  const commands: Command[] = [];
  const taken = new Set(BUILT_IN_COMMANDS);
  for (const plugin of session.discovery.plugins) {
    for (const name of plugin.manifest.commands ?? []) {
      if (taken.has(name)) continue;
      taken.add(name);
      commands.push(
        flags.command === name
          ? await realCommand(plugin, name, session, setExit)
          : new Command(name).summary(`(from ${plugin.packageName}; \`aminate ${name} --help\`)`).allowUnknownOption().allowExcessArguments(true),
      );
    }
  }
  return commands;
}

type OnRun = (spec: PluginCommand, args: readonly string[], options: Record<string, unknown>) => Promise<void>;

async function realCommand(plugin: DiscoveredPlugin, name: string, session: Session, setExit: (code: number) => void): Promise<Command> {
  const loaded = await loadPlugin(plugin, await sharedModulesHost(session.discovery.plugins));
  const spec = loaded.module.commands?.find((c) => c.name === name);
  if (!spec) throw new PluginLoadError('shape', plugin.packageName, `does not define the command ${name}`);
  return build(spec, async (command, args, options) => {
    // The DI-free part of core was enough so far; running needs the runner, locks and cleanup stack.
    const { runPluginCommand } = await import('../commands/run-plugin-command.js');
    setExit(await runPluginCommand(command, loaded, session, args, options));
  });
}

/** A commander command (and its subcommands) from a plugin's declarative spec. */
function build(spec: PluginCommand, onRun: OnRun): Command {
  const command = new Command(spec.name).summary(spec.summary).description(spec.description ?? spec.summary);
  for (const argument of spec.arguments ?? []) command.argument(argument.required ? `<${argument.name}>` : `[${argument.name}]`, argument.description);
  for (const option of spec.options ?? []) command.addOption(toOption(option));
  for (const sub of spec.subcommands ?? []) command.addCommand(build(sub, onRun));
  if (spec.run) {
    command.action(async (...params: unknown[]) => {
      const self = params.at(-1) as Command;
      await onRun(spec, self.processedArgs as string[], self.opts());
    });
  }
  return command;
}

function toOption(spec: NonNullable<PluginCommand['options']>[number]): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.defaultValue !== undefined) option.default(spec.defaultValue);
  if (spec.choices) option.choices([...spec.choices]);
  if (spec.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  if (spec.required) option.makeOptionMandatory();
  return option;
}
