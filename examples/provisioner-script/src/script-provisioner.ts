import { constants } from 'node:fs';
import { chmod, copyFile, lstat, unlink } from 'node:fs/promises';
import { arch } from 'node:os';
import { join } from 'node:path';
import {
  AminatorError,
  COMMAND_RUNNER,
  type CommandRunner,
  type InstalledPackage,
  inject,
  injectable,
  type PackageSpec,
  PROVISIONER_CONFIG,
  type Provisioner,
  type ProvisionInput,
  type StepContext,
} from '@aminator/core';
import type { ScriptConfig } from './script-config.js';
import { parseScriptSpec } from './script-spec.js';

const CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'arm64' };

/** Copies the script into the chroot's /tmp, runs it there with AMINATOR_* variables, removes it. */
@injectable()
export class ScriptProvisioner implements Provisioner {
  constructor(
    @inject(PROVISIONER_CONFIG) private readonly config: ScriptConfig,
    @inject(COMMAND_RUNNER) private readonly commands: CommandRunner,
  ) {}

  parseSpec(raw: string): PackageSpec {
    return parseScriptSpec(raw, this.config.version);
  }

  describePlan(): readonly string[] {
    return [`provisioner script: run the script with ${this.config.interpreter} inside the chroot (timeout ${this.config.timeoutSec}s)`];
  }

  async provision(input: ProvisionInput, ctx: StepContext): Promise<InstalledPackage> {
    const name = input.spec.name ?? 'script';
    const inChroot = `/tmp/aminator-script-${ctx.runId}`;
    await this.copyIn(input.spec.raw, input.chroot.root, inChroot, ctx);
    const appversion = `${name}-${this.config.version}-${this.config.release}`;
    await this.commands.run('chroot', [input.chroot.root, this.config.interpreter, inChroot], {
      extendEnv: false,
      signal: ctx.signal,
      timeoutMs: this.config.timeoutSec * 1000,
      env: {
        ...input.chroot.env,
        PATH: CHROOT_PATH,
        AMINATOR_PACKAGE: name,
        AMINATOR_APPVERSION: appversion,
        AMINATOR_BASE_AMI_ID: input.baseImage.id,
        AMINATOR_BASE_AMI_NAME: input.baseImage.name,
        AMINATOR_ENVIRONMENT: input.environment,
      },
      onLine: (line) => ctx.log.info(line),
    });
    return { name, version: this.config.version, release: this.config.release, arch: input.baseImage.architecture ?? ARCH[arch()] ?? arch() };
  }

  /** Writes only below the chroot's real /tmp: a symlinked /tmp could point anywhere on the host. */
  private async copyIn(source: string, root: string, inChroot: string, ctx: StepContext): Promise<void> {
    const tmp = await lstat(join(root, 'tmp')).catch(() => undefined);
    if (!tmp?.isDirectory()) {
      throw new AminatorError(`${join(root, 'tmp')} is not a directory (or is a symlink); refusing to write outside the chroot`, { code: 'E_SCRIPT_TMP' });
    }
    const target = join(root, inChroot);
    await copyFile(source, target, constants.COPYFILE_EXCL);
    ctx.cleanup.push({ description: `remove ${target}`, resource: { kind: 'file', id: target }, manual: [['rm', '-f', target]], undo: () => unlink(target) });
    await chmod(target, 0o700);
  }
}
