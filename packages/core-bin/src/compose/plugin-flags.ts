import { AminatorError, type ConfigLayer, ErrorCodes, EXIT_USAGE, objectAtPath, type PluginKind, type PluginOption, RESERVED_FLAGS } from '@aminator/core/host';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { EnvironmentPlugins } from './load-environment.js';

/** A plugin's flag and the config key it sets. */
export interface FlagBinding {
  readonly option: PluginOption;
  readonly kind: PluginKind;
  readonly name: string;
}

/**
 * The flags of the selected plugins; two plugins (or a plugin and aminate) claiming one flag is an
 * error. aminate's are the declared RESERVED_FLAGS (what plugin authors check against) and whatever
 * `command` really defines, so an option added to a command can never be shadowed by a plugin.
 */
export function collectFlagBindings(plugins: EnvironmentPlugins, command?: Command): FlagBinding[] {
  const owners = new Map<string, string>([...RESERVED_FLAGS, ...(command ? definedFlags(command) : [])].map((f) => [f, 'aminate']));
  const bindings: FlagBinding[] = [];
  for (const loaded of Object.values(plugins)) {
    const { kind, name } = loaded.plugin;
    for (const option of loaded.module.options ?? []) {
      const owner = owners.get(option.flag);
      if (owner) {
        throw new AminatorError(`--${option.flag} of ${kind}/${name} is already defined by ${owner}`, {
          code: ErrorCodes.PLUGIN_OPTION_CONFLICT,
          exitCode: EXIT_USAGE,
          suggestions: ['set the value in the config file instead, and report the clash to the plugin authors'],
        });
      }
      owners.set(option.flag, `${kind}/${name}`);
      bindings.push({ option, kind, name });
    }
  }
  return bindings;
}

export function addPluginFlags(command: Command, bindings: readonly FlagBinding[]): void {
  for (const { option, kind, name } of bindings) {
    const value = option.type === 'boolean' ? '' : ` <${option.valueName ?? 'value'}>`;
    const flag = new Option(`--${option.flag}${value}`, `${option.description} [${kind}/${name}: ${kind}.${name}.${option.key}]`);
    if (option.type === 'number') flag.argParser(parseNumber);
    if (option.type === 'list') flag.argParser((v: string, previous: string[] | undefined) => [...(previous ?? []), v]);
    command.addOption(flag);
  }
}

/** One config layer per plugin flag given on the command line, named `flag --x`. */
export function pluginFlagLayers(command: Command, bindings: readonly FlagBinding[]): ConfigLayer[] {
  const layers: ConfigLayer[] = [];
  for (const { option, kind, name } of bindings) {
    const attribute = camel(option.flag);
    if (command.getOptionValueSource(attribute) !== 'cli') continue;
    const value = command.getOptionValue(attribute) as unknown;
    layers.push({ source: `flag --${option.flag}`, data: objectAtPath(`${kind}.${name}.${option.key}`, value) });
  }
  return layers;
}

/** The long flags `command` and the commands above it define, without the dashes. */
export function definedFlags(command: Command): string[] {
  const flags: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) for (const option of at.options) if (option.long) flags.push(option.long.slice(2));
  return flags;
}

function parseNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new InvalidArgumentError('not a number');
  return number;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
