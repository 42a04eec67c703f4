import { Command } from 'commander';
import { addEnvironmentFlags } from '../compose/environment-flags.js';
import type { GlobalFlags } from './global-flags.js';
import type { Session } from './session.js';

const EXAMPLES = `
What it looks for (only what no live bake holds; a bake holds its run lock for as long as it runs):
  processes      still running inside a dead bake's chroot (an orphaned apt-get or dpkg)
  mounts         under the work root, of runs that are gone (deepest first)
  devices        loop devices over volume files of the local store
  attachments    cloud volumes attached for a dead bake (EC2: detached, then deleted)
  volumes        working volumes of dead bakes (local volume files, EC2 volumes tagged by this host)
  files          empty work directories of dead runs
  locks          locks whose owner process is gone

Examples:
  aminate cleanup --dry-run            list what would be reclaimed, change nothing
  aminate cleanup                      reclaim it
  aminate --json cleanup               one JSON line per leftover, then the result
  aminate -e ec2_apt_linux cleanup     also EC2 working volumes this instance's dead bakes left
  aminate -e ebsdirect_apt_linux cleanup --expired
                                       also snapshots any host's bakes left unfinished whose lease ran out

Use the same --work-root and --lock-dir (or config) as the bakes did.
Exit codes: 0 nothing left (or dry run), 1 something could not be reclaimed, 2 bad usage, 130 interrupted.`;

/**
 * `aminate cleanup`. Like `bake` it composes the selected environment, so each plugin reports what it
 * knows to look for; of the plugins' flags only those marked `cleanup` are offered (where to look: --store, --region).
 */
export async function cleanupCommand(flags: GlobalFlags, session: () => Promise<Session>, setExit: (code: number) => void): Promise<Command> {
  const command = new Command('cleanup')
    .summary('find and reclaim what killed or crashed bakes left behind')
    .description(
      'Find what bakes that are no longer running left on this host — processes in their chroots, mounts, loop devices, volumes, locks — and reclaim it, holders first.',
    )
    .option('--dry-run', 'list what would be reclaimed, change nothing')
    .option('--expired', "also reclaim cloud resources other hosts' bakes made whose lease ran out (a pod or runner that is gone for good)")
    .option('--work-root <dir>', "the bakes' work root (config: workRoot)")
    .option('--lock-dir <dir>', "the bakes' lock directory (config: lockDir)");
  if (flags.command !== 'cleanup') return command;
  const loaded = await addEnvironmentFlags(command, flags, session, (b) => b.option.cleanup === true, 'Plugin flags');
  command.addHelpText('after', EXAMPLES);
  command.action(async (_options: unknown, cmd: Command) => {
    if (!loaded) return;
    const { cleanup } = await import('../commands/cleanup.js');
    setExit(await cleanup({ session: await session(), plugins: loaded.plugins, bindings: loaded.bindings, command: cmd }));
  });
  return command;
}
