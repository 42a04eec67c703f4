import type { CommandRunner, FoundationBuilder, FoundationPlan, FoundationRequest, PlanContext, StepContext } from '@aminator/core';
import { UsageError } from '@aminator/core';
import {
  findArchitecture,
  HostTools,
  hostArchitecture,
  INSECURE_REPO_WARNING,
  includedPackages,
  keyringOption,
  readRpmInventory,
  releaseName,
  requireHostTools,
  requireKeyring,
  sourceUrl,
} from '@aminator/linux-host';

/**
 * Red Hat family foundations: `dnf --installroot` of the `--include` packages from `--repo`, every
 * package's signature checked against `--keyring` (the repository's GPG key). A root file system
 * only: boot loaders (grub2, shim, dracut) for this family are not built yet.
 */
export class RedhatFoundation implements FoundationBuilder {
  constructor(private readonly commands: CommandRunner) {}

  readonly boots = false;

  plan(request: FoundationRequest): FoundationPlan {
    const raw = request.options;
    const host = hostArchitecture();
    if (request.architecture !== host?.machine) {
      throw new UsageError(
        `Red Hat family foundations are built for this host's architecture (${host?.machine ?? process.arch}), not ${request.architecture}`,
        {
          suggestions: ['drop --arch, or build an arm64 Red Hat family foundation on an arm64 host'],
        },
      );
    }
    const release = releaseName(String(raw.releasever ?? ''), '--releasever');
    if (raw.repo === undefined) throw new UsageError('Red Hat family foundations need --repo URL (a repository with the base packages)');
    const source = sourceUrl(String(raw.repo), '--repo');
    const include = includedPackages(raw.include);
    if (include.length === 0) throw new UsageError('Red Hat family foundations need --include with the packages to install (e.g. bash,rpm,dnf)');
    const insecureRepo = raw.insecureRepo === true;
    const keyring = keyringOption(raw.keyring);
    if (!keyring && !insecureRepo) {
      throw new UsageError("Red Hat family foundations check every package's signature: give --keyring with the repository's GPG key file (RPM-GPG-KEY-…)", {
        suggestions: ['or pass --insecure-repo to install unsigned packages (the image records that it was built so)'],
      });
    }
    const { commands } = this;
    return {
      family: 'redhat',
      release,
      lines: [
        `from: ${source} (release ${release}) with ${include.join(', ')}`,
        insecureRepo || !keyring ? 'signatures: NOT checked (--insecure-repo)' : `signatures: checked against ${keyring.file}`,
      ],
      warnings: insecureRepo ? [INSECURE_REPO_WARNING] : [],
      async preflight(ctx: PlanContext): Promise<void> {
        requireHostTools([HostTools.dnf], { needsRoot: !ctx.dryRun });
        if (keyring) requireKeyring(keyring, insecureRepo);
      },
      async install(root: string, ctx: StepContext): Promise<void> {
        const signatures =
          insecureRepo || !keyring ? ['--nogpgcheck'] : ['--setopt=foundation.gpgcheck=1', `--setopt=foundation.gpgkey=file://${keyring.file}`];
        const common = ['-y', `--installroot=${root}`, `--releasever=${release}`];
        await commands.run(
          'dnf',
          [
            ...common,
            `--repofrompath=foundation,${source}`,
            '--repo=foundation',
            '--setopt=install_weak_deps=False',
            ...signatures,
            'install',
            '--',
            ...include,
          ],
          { signal: ctx.signal, timeoutMs: 3_600_000, onLine: (line) => ctx.log.debug(line) },
        );
        await commands.run('dnf', [...common, 'clean', 'all'], { signal: ctx.signal });
      },
      async configure(): Promise<{ architecture: string }> {
        // dnf installs the host's architecture into the root.
        const machine = (await commands.run('uname', ['-m'])).stdout.trim();
        return { architecture: findArchitecture(machine)?.machine ?? machine };
      },
      inventory(root: string, ctx: StepContext) {
        return readRpmInventory(root, commands, ctx);
      },
    };
  }
}
