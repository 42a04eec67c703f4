import type { CommandResult, CommandRunner, StepContext } from '@aminator/core';

/** PATH inside the image; the host's PATH means nothing there. */
export const CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ChrootRunOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly okExitCodes?: readonly number[];
  /** Log each output line at info level (installs), else only at debug. */
  readonly showOutput?: boolean;
  /** Also hand each output line (stdout and stderr) to this watcher. */
  readonly onLine?: (line: string) => void;
}

/** Run `file args…` inside the chroot with a clean environment, the run's abort signal and logging. */
export function runInChroot(
  commands: CommandRunner,
  root: string,
  file: string,
  args: readonly string[],
  ctx: StepContext,
  options: ChrootRunOptions = {},
): Promise<CommandResult> {
  return commands.run('chroot', [root, file, ...args], {
    extendEnv: false,
    env: { PATH: CHROOT_PATH, LANG: 'C.UTF-8', HOME: '/root', ...options.env },
    signal: ctx.signal,
    timeoutMs: options.timeoutMs ?? 3_600_000,
    okExitCodes: options.okExitCodes,
    onLine: (line) => {
      if (options.showOutput) ctx.log.info(line);
      else ctx.log.debug(line);
      options.onLine?.(line);
    },
  });
}
