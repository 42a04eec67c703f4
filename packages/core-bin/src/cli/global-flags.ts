/** Flags read before commander parses, because they decide what the commands look like. */
export interface GlobalFlags {
  readonly config?: string;
  readonly environment?: string;
  readonly json: boolean;
  readonly debug: boolean;
  readonly help: boolean;
  /** First word that is not an option: the command. */
  readonly command?: string;
}

const VALUE_FLAGS = new Set(['-c', '--config', '-e', '--environment']);

/** A light scan of argv (commander validates everything properly later). */
export function scanGlobalFlags(argv: readonly string[]): GlobalFlags {
  let config: string | undefined;
  let environment: string | undefined;
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    const [flag, inline] = arg.startsWith('--') ? splitInline(arg) : [arg, undefined];
    if (VALUE_FLAGS.has(flag)) {
      const value = inline ?? argv[++i];
      if (flag === '-c' || flag === '--config') config = value;
      else environment = value;
      continue;
    }
    if (!arg.startsWith('-') && command === undefined) command = arg;
  }
  return { config, environment, command, json: argv.includes('--json'), debug: argv.includes('--debug'), help: argv.includes('--help') || argv.includes('-h') };
}

function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}
