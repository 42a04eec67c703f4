import type { CommandResult, CommandRunner, StepContext } from '@aminator/core';

/** PATH inside the image; the host's PATH means nothing there. */
export const CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ChrootRunOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly okExitCodes?: readonly number[];
  /** Log each output line at info level (installs), else only at debug. */
  readonly showOutput?: boolean;
}

/** Run `file args…` inside the chroot with a clean environment, the run's abort signal and logging. */
export function runInChroot(commands: CommandRunner, root: string, file: string, args: readonly string[], ctx: StepContext, options: ChrootRunOptions = {}): Promise<CommandResult> {
  return commands.run('chroot', [root, file, ...args], {
    extendEnv: false,
    env: { PATH: CHROOT_PATH, LANG: 'C.UTF-8', HOME: '/root', ...options.env },
    signal: ctx.signal,
    timeoutMs: options.timeoutMs ?? 3_600_000,
    okExitCodes: options.okExitCodes,
    onLine: (line) => (options.showOutput ? ctx.log.info(line) : ctx.log.debug(line)),
  });
}
