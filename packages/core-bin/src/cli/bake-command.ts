import { kindsIn } from '@aminator/core/host';
import { Command } from 'commander';
import { addEnvironmentFlags } from '../compose/environment-flags.js';
import type { GlobalFlags } from './global-flags.js';
import type { Session } from './session.js';

const EXAMPLES = `
Examples:
  aminate bake hello                                   install hello from the image's repositories
  aminate bake --base-image debian-12-base ./app_1.0-1_amd64.deb
  aminate bake --dry-run hello                         resolve everything, print the plan, change nothing
  aminate --json bake hello                            one JSON event per line; the last is the result
  aminate bake --verify --verify-unit nginx.service --verify-http 80/ nginx
                                                       boot the new image and check nginx answers
  aminate -e ec2_apt_linux bake --base-image-name 'debian-12-*' --base-image-owner 136693071363 nginx

Exit codes: 0 baked, 1 bake failed (cleaned up), 2 bad usage or config (nothing done), 130 interrupted (cleaned up).
Failing steps and signals undo everything the bake acquired unless --preserve-on-error is given.`;

/**
 * `aminate bake`. When it is the command being run, the selected environment's plugins are loaded
 * first so their flags exist (and show in --help); for other commands nothing is imported.
 */
export async function bakeCommand(flags: GlobalFlags, session: () => Promise<Session>, setExit: (code: number) => void): Promise<Command> {
  const command = new Command('bake')
    .summary('bake an image with one package installed')
    .description(
      'Bake an image: make a volume from the base image, install PACKAGE in a chroot on it, and register the result.\nPACKAGE is a repository package name (optionally name=version), a local .deb/.rpm file, or an http(s) URL.',
    )
    .argument('<package>', 'package to install')
    .option('--base-image <id-or-name>', 'base image to start from (cloud plugins may add ways to pick it)')
    .option('--dry-run', 'resolve plugins, config and base image, print the plan, change nothing')
    .option('--preserve-on-error', 'on failure keep the volume and mounts for debugging, and print how to remove them')
    .option('--verify', "after finalize, prove the image works with the environment's verifier (e.g. boot it); a failure removes it")
    .option('--keep-unverified', 'with --verify: keep an image that failed verification (the bake still exits 1)')
    .option('--work-root <dir>', 'directory for per-bake work directories (config: workRoot)')
    .option('--lock-dir <dir>', 'directory for host-wide lock files (config: lockDir)');
  if (flags.command !== 'bake') return command;
  const loaded = await addEnvironmentFlags(command, flags, session, () => true, 'Plugin flags');
  if (loaded) {
    const { env } = loaded;
    command.addHelpText(
      'after',
      `\nEnvironment ${env.name}: ${kindsIn(env.plugins)
        .map((k) => `${k}=${env.plugins[k]}`)
        .join(' ')}\n(plugin flags above are those of this environment; pick another with -e NAME)`,
    );
  }
  command.addHelpText('after', EXAMPLES);
  command.action(async (packageSpec: string, _options: unknown, cmd: Command) => {
    if (!loaded) return;
    // Loaded only now: the pipeline and the DI container are the expensive part of start-up.
    const { bake } = await import('../commands/bake.js');
    setExit(
      await bake({ session: await session(), environment: loaded.env.name, plugins: loaded.plugins, bindings: loaded.bindings, command: cmd, packageSpec }),
    );
  });
  return command;
}
