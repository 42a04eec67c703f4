import { scanGlobalFlags } from './cli/global-flags.js';

/** Entry of the `aminate` binary. */
export async function main(argv: readonly string[]): Promise<void> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    // The answer scripts ask for most often, without loading the command-line parser or core.
    const { cliVersion } = await import('./cli/version.js');
    process.stdout.write(`${cliVersion()}\n`);
    return;
  }
  ignoreClosedPipes();
  const flags = scanGlobalFlags(argv);
  const [{ runCli }, { reportError }, { isAminatorError }] = await Promise.all([
    import('./cli/program.js'),
    import('./cli/output.js'),
    import('@aminator/core/host'),
  ]);
  let code: number;
  try {
    code = await runCli(argv, flags);
  } catch (error) {
    reportError(error, { json: flags.json, debug: flags.debug });
    code = isAminatorError(error) ? error.exitCode : 1;
  }
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  // Exit explicitly: a plugin's keep-alive socket must not hold the process open after the result.
  process.exit(code);
}

/**
 * `aminate … | head` closes our stdout early. Never die of that mid-bake (cleanup must finish): drop
 * output to a closed pipe and carry on.
 */
function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}
