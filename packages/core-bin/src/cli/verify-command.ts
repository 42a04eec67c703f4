import { kindsIn } from '@aminator/core/host';
import { Command } from 'commander';
import { addEnvironmentFlags, imageRunFlags } from '../compose/environment-flags.js';
import type { GlobalFlags } from './global-flags.js';
import type { Session } from './session.js';

const EXAMPLES = `
Examples:
  aminate verify debian-base                           boot a stored image, check it reaches multi-user.target
  aminate verify --verify-unit nginx.service --verify-http 80/ nginx-light-1.22.1-1-20261202T1010Z
  aminate verify --verify-boot-mode both my-image      boot it under BIOS and under UEFI
  aminate --json verify my-image                       one JSON event per line; the last has the checks

The image is resolved by the environment's cloud as --base-image would be, and checked by the
environment's verifier with the same flags as \`aminate bake --verify\`. A failed check exits 1 and
changes nothing: the image stays (use the cloud's own command to remove it).
Exit codes: 0 verified, 1 a check failed, 2 bad usage or config, 130 interrupted (cleaned up).`;

/** `aminate verify IMAGE`: the environment's verifier on an image that exists (a bake's, or a base image). */
export async function verifyCommand(flags: GlobalFlags, session: () => Promise<Session>, setExit: (code: number) => void): Promise<Command> {
  const command = new Command('verify')
    .summary("prove an existing image works with the environment's verifier (e.g. boot it)")
    .description(
      "Run the environment's verifier on an image that exists: for verifier qemu, boot a copy-on-write copy and check what runs. Nothing is made and nothing is removed.",
    )
    .argument('<image>', 'image id or name, as --base-image takes it')
    .option('--dry-run', 'resolve the image and print what would be checked, change nothing')
    .option('--work-root <dir>', 'directory for per-run work directories (config: workRoot)')
    .option('--lock-dir <dir>', 'directory for host-wide lock files (config: lockDir)');
  if (flags.command !== 'verify') return command;
  const loaded = await addEnvironmentFlags(command, flags, session, imageRunFlags, 'Plugin flags');
  if (loaded) {
    const { env } = loaded;
    command.addHelpText(
      'after',
      `\nEnvironment ${env.name}: ${kindsIn(env.plugins)
        .filter((k) => k === 'cloud' || k === 'verifier')
        .map((k) => `${k}=${env.plugins[k]}`)
        .join(' ')}\n(plugin flags above are those of this environment's cloud and verifier; pick another with -e NAME)`,
    );
  }
  command.addHelpText('after', EXAMPLES);
  command.action(async (imageRef: string, _options: unknown, cmd: Command) => {
    if (!loaded) return;
    const { verify } = await import('../commands/verify.js');
    setExit(
      await verify({ session: await session(), environment: loaded.env.name, plugins: loaded.plugins, bindings: loaded.bindings, command: cmd, imageRef }),
    );
  });
  return command;
}
