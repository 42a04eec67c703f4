import { Command } from 'commander';
import { addEnvironmentFlags, imageRunFlags } from '../compose/environment-flags.js';
import type { GlobalFlags } from './global-flags.js';
import type { Session } from './session.js';

const EXAMPLES = `
Examples:
  aminate boot debian-base                             look around a stored image on its serial console
  aminate boot --forward 8080:80 nginx-light-1.22.1-1-20261202T1010Z
                                                       and reach its port 80 at http://127.0.0.1:8080/
  aminate boot --verify-boot-mode uefi my-image        boot it under UEFI

A throwaway copy of the image boots (the image is never written), with root logged in on the serial
console, which is this terminal; forwarded ports listen on 127.0.0.1 only. Leave with \`poweroff\` in
the guest, or Ctrl-A X; the copy is removed either way. Under TCG (no KVM) a boot takes about a minute.
Exit codes: 0 the machine stopped, 1 it could not be booted, 2 bad usage or config, 130 interrupted.`;

/** `aminate boot IMAGE`: an existing image, booted for a person by the environment's verifier. */
export async function bootCommand(flags: GlobalFlags, session: () => Promise<Session>, setExit: (code: number) => void): Promise<Command> {
  const command = new Command('boot')
    .summary('boot a copy of an existing image on this terminal, to look around')
    .description('Boot a throwaway copy of an existing image with its console on this terminal (verifier qemu), optionally with ports forwarded to 127.0.0.1.')
    .argument('<image>', 'image id or name, as --base-image takes it')
    .option('--forward <host:guest>', "forward 127.0.0.1:HOST to the guest's port GUEST (repeatable)", (v: string, previous: string[] | undefined) => [
      ...(previous ?? []),
      v,
    ])
    .option('--dry-run', 'resolve the image and print what would be booted, change nothing')
    .option('--work-root <dir>', 'directory for per-run work directories (config: workRoot)')
    .option('--lock-dir <dir>', 'directory for host-wide lock files (config: lockDir)');
  if (flags.command !== 'boot') return command;
  const loaded = await addEnvironmentFlags(command, flags, session, imageRunFlags, 'Plugin flags');
  command.addHelpText('after', EXAMPLES);
  command.action(async (imageRef: string, _options: unknown, cmd: Command) => {
    if (!loaded) return;
    const { boot } = await import('../commands/boot.js');
    setExit(await boot({ session: await session(), environment: loaded.env.name, plugins: loaded.plugins, bindings: loaded.bindings, command: cmd, imageRef }));
  });
  return command;
}
