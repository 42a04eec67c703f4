import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AminatorError, type CommandRunner, type StepContext } from '@aminator/core';
import { runInChroot } from './chroot-command.js';
import { LinuxErrorCodes } from './errors.js';
import { pathInside } from './safe-path.js';

/**
 * Run the image's post-install scripts (`<dir>/*.sh`, in name order, regular files only) inside the
 * chroot with `env`. The first failing script fails the bake.
 */
export async function runPostInstallScripts(
  commands: CommandRunner,
  root: string,
  dir: string,
  env: Readonly<Record<string, string>>,
  ctx: StepContext,
): Promise<string[]> {
  const hostDir = pathInside(root, dir);
  const names = (await readdir(hostDir).catch(() => [] as string[])).filter((n) => n.endsWith('.sh')).sort();
  const ran: string[] = [];
  for (const name of names) {
    if (!(await lstat(join(hostDir, name))).isFile()) continue;
    const script = `${dir.replace(/\/$/, '')}/${name}`;
    ctx.progress(`post-install script ${script}`);
    try {
      await runInChroot(commands, root, '/bin/sh', [script], ctx, { env, showOutput: true });
    } catch (cause) {
      throw new AminatorError(`post-install script ${script} failed`, {
        code: LinuxErrorCodes.POSTINSTALL_FAILED,
        cause,
        suggestions: [`fix ${script} in the base image, or remove it`],
      });
    }
    ran.push(script);
  }
  return ran;
}
