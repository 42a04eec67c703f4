import { Command, CommanderError } from 'commander';
import { environments } from '../commands/environments.js';
import { pluginsDoctor } from '../commands/plugins-doctor.js';
import { pluginsList } from '../commands/plugins-list.js';
import { showConfig } from '../commands/show-config.js';
import { bakeCommand } from './bake-command.js';
import { bootCommand } from './boot-command.js';
import { BUILT_IN_COMMANDS } from './built-in-commands.js';
import { cleanupCommand } from './cleanup-command.js';
import type { GlobalFlags } from './global-flags.js';
import { pluginCommands } from './plugin-commands.js';
import { openSession, type Session } from './session.js';
import { verifyCommand } from './verify-command.js';
import { cliVersion } from './version.js';

/** Parse argv and run the command; returns the exit code. */
export async function runCli(argv: readonly string[], flags: GlobalFlags): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  let opened: Promise<Session> | undefined;
  const session = (): Promise<Session> => (opened ??= openSession(flags));
  const json = (): boolean => flags.json;

  const program = new Command('aminate')
    .description('Bake machine images with one package installed, without launching a build instance.')
    .version(cliVersion(), '-V, --version', 'print the version')
    .option('-c, --config <file>', 'config file (instead of the project search; env AMINATOR_CONFIG)')
    .option('-e, --environment <name>', 'environment (named plugin set) to use; see `aminate environments`')
    .option('--json', 'machine-readable output: JSON (one event per line for bake)')
    .option('--debug', 'show debug logs and stack traces')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  // addCommand does not pass on exitOverride and friends the way .command() does.
  program.addCommand((await bakeCommand(flags, session, setExit)).copyInheritedSettings(program));
  program.addCommand((await verifyCommand(flags, session, setExit)).copyInheritedSettings(program));
  program.addCommand((await bootCommand(flags, session, setExit)).copyInheritedSettings(program));
  program.addCommand((await cleanupCommand(flags, session, setExit)).copyInheritedSettings(program));
  const plugins = program.command('plugins').description('discover and check plugins');
  plugins
    .command('list')
    .description('list discovered plugins (nothing is imported)')
    .option('--json', 'print JSON')
    .action(async () => setExit(pluginsList(await session(), { json: json() })));
  plugins
    .command('doctor')
    .description('load every plugin through every phase and report problems; exit 2 if the selected environment is affected')
    .option('--json', 'print JSON')
    .action(async () => setExit(await pluginsDoctor(await session(), { json: json(), environment: flags.environment })));
  program
    .command('environments')
    .description('list environments and whether their plugins are installed')
    .option('--json', 'print JSON')
    .action(async () => setExit(environments(await session(), { json: json() })));
  program
    .command('config')
    .description('print the effective configuration and where each value came from')
    .option('--json', 'print JSON')
    .action(async () => setExit(showConfig(await session(), { json: json(), environment: flags.environment })));

  for (const command of await pluginCommandsIfAny(flags, session, setExit)) program.addCommand(command.copyInheritedSettings(program));

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    throw error;
  }
  return exitCode;
}

/**
 * Plugin commands need discovery; when config is broken, built-in commands still get to report it —
 * unless the command being run is a plugin's, which then fails with the config error.
 */
async function pluginCommandsIfAny(flags: GlobalFlags, session: () => Promise<Session>, setExit: (code: number) => void): Promise<Command[]> {
  try {
    return await pluginCommands(flags, await session(), setExit);
  } catch (error) {
    if (flags.command === undefined || BUILT_IN_COMMANDS.includes(flags.command)) return [];
    throw error;
  }
}

/** Help and version are successes; every other commander complaint is a usage error (2). */
function commanderExitCode(error: CommanderError): number {
  return ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code) ? 0 : 2;
}
