import {
  type BakePlan,
  COMMAND_RUNNER,
  type CommandRunner,
  type InstalledPackage,
  inject,
  injectable,
  type PackageInventory,
  type PackageSpec,
  type PlanContext,
  PROVISIONER_CONFIG,
  type PreparedChroot,
  type Provisioner,
  type ProvisionInput,
  type StepContext,
} from '@aminator/core';
import {
  classifySpec,
  existsInside,
  HostTools,
  type InstallDiagnostics,
  type PackageArchitectureReader,
  type PackageManager,
  provisionWith,
  readRpmInventory,
  requireLocalPackageFitsBase,
  runInChroot,
} from '@aminator/linux-host';
import type { YumConfig } from './yum-config.js';

const RPM_ARCHITECTURE: PackageArchitectureReader = {
  tool: HostTools.rpm,
  args: (file) => ['--query', '--package', '--nosignature', '--queryformat', '%{ARCH}', '--', file],
  neutral: ['noarch'],
};

/** RPM package names, optionally with version (and release): `nginx`, `nginx-1.20.1`, `nginx-1:1.20.1-10.el9`. */
const RPM_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+~:-]{0,255}$/;
const DNF_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** What dnf and yum print for the causes `explainInstallFailure` looks for. */
export const YUM_DIAGNOSTICS: InstallDiagnostics = {
  unreachable:
    /Curl error \((6|7|28)\)|Could not resolve host|Failed to connect to|Cannot download repomd\.xml|Failed to download metadata for repo|Cannot find a valid baseurl/,
  unsatisfiable: /nothing provides|conflicting requests|none of the providers can be installed|Requires: .* but none|^ ?Problem( \d+)?: /,
  notFound: /No match for argument|Unable to find a match|No package .* available/,
  // dnf says "No match" for a missing version too: PackageManager.nameExists tells the two apart.
  versionNotFound: /(?!)/,
  signature:
    /is not signed|GPG check FAILED|Public key for .* is not installed|you do not have any GPG public keys installed|NOKEY|BAD signature|Import of key\(s\) didn't help|signature.* (?:is not OK|failed)/,
  locked: /another copy is running|Waiting for process with pid \d+ to finish|Failed to obtain the transaction lock/,
  scriptFailed: (line) => /Error in (?:PRE|POST)(?:IN|UN|TRANS) scriptlet in rpm package (\S+)/.exec(line)?.[1],
  neededBytes: (line) => {
    const [, amount, unit = ''] = /^Installed size: ([\d.]+) ?([kMG]?)/.exec(line.trim()) ?? [];
    return amount ? Number(amount) * (DNF_UNITS[unit] ?? 1) : undefined;
  },
};

/** Installs with dnf (or yum where the image has no dnf) inside the chroot; user input comes after `--`. */
@injectable()
export class YumProvisioner implements Provisioner, PackageManager {
  constructor(
    @inject(PROVISIONER_CONFIG) private readonly config: YumConfig,
    @inject(COMMAND_RUNNER) private readonly commands: CommandRunner,
  ) {}

  parseSpec(raw: string): PackageSpec {
    return classifySpec(raw, { extension: '.rpm', name: RPM_NAME, example: 'nginx or nginx-1.20.1' });
  }

  /** A local .rpm for another architecture than the base image's is refused before any work (read by the host's rpm, nothing installed). */
  preflight(plan: BakePlan, ctx: PlanContext): Promise<void> {
    return requireLocalPackageFitsBase(plan, RPM_ARCHITECTURE, this.commands, ctx);
  }

  describePlan(): readonly string[] {
    return [
      `provisioner yum: dnf (or yum) install${this.config.releasever ? ` --releasever=${this.config.releasever}` : ''}, then ${this.config.postInstallDir}/*.sh`,
    ];
  }

  provision(input: ProvisionInput, ctx: StepContext): Promise<InstalledPackage> {
    return provisionWith(this, this.commands, input, { ...this.config, extension: '.rpm', maxBytes: this.config.maxDownloadBytes }, ctx);
  }

  /** rpm's database, read by the host's rpm from a private copy: what the SBOM and the delta list. */
  inventory(chroot: PreparedChroot, ctx: StepContext): Promise<PackageInventory> {
    return readRpmInventory(chroot.root, this.commands, ctx);
  }

  readonly diagnostics = YUM_DIAGNOSTICS;

  /** dnf and yum refresh metadata as part of install. */
  async refresh(): Promise<void> {}

  async install(root: string, target: string, ctx: StepContext, onLine: (line: string) => void): Promise<void> {
    const options = ['-y', `--setopt=install_weak_deps=${this.config.installWeakDeps ? 'True' : 'False'}`, ...this.repoOptions()];
    await runInChroot(this.commands, root, this.tool(root), [...options, 'install', '--', target], ctx, {
      timeoutMs: this.config.installTimeoutMs,
      showOutput: true,
      onLine,
    });
  }

  /**
   * For a pinned target dnf found no match for (`nginx-1.99`): whether a shorter name it starts with
   * (cut before a `-` and a digit) is a package, so the version, not the name, is what is missing.
   */
  async nameExists(root: string, target: string, ctx: StepContext): Promise<boolean> {
    const names = [...target.matchAll(/-(?=\d)/g)].map((m) => target.slice(0, m.index));
    for (const name of names) {
      const found = await runInChroot(this.commands, root, this.tool(root), ['-q', ...this.repoOptions(), 'list', '--', name], ctx, {
        okExitCodes: [0, 1],
      }).catch(() => undefined);
      if (found?.exitCode === 0) return true;
    }
    return false;
  }

  /** The release and the repositories from config, as every dnf call of a bake sees them. */
  private repoOptions(): string[] {
    const options = this.config.releasever ? [`--releasever=${this.config.releasever}`] : [];
    for (const repo of this.config.repos) {
      options.push(`--repofrompath=${repo.id},${repo.url}`);
      if (!repo.gpgcheck) options.push(`--setopt=${repo.id}.gpgcheck=0`);
    }
    return options;
  }

  async nameOfFile(root: string, fileInChroot: string, ctx: StepContext): Promise<string> {
    return (await runInChroot(this.commands, root, 'rpm', ['--query', '--package', '--queryformat', '%{NAME}', '--', fileInChroot], ctx)).stdout.trim();
  }

  async query(root: string, name: string, ctx: StepContext): Promise<InstalledPackage> {
    const { stdout } = await runInChroot(
      this.commands,
      root,
      'rpm',
      ['--query', '--queryformat', '%{NAME}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\n', '--', name],
      ctx,
    );
    const [pkg = name, version = '', release = '', arch = ''] = (stdout.trim().split('\n').at(-1) ?? '').split('\t');
    return { name: pkg, version, release, arch };
  }

  async clean(root: string, ctx: StepContext): Promise<void> {
    if (this.config.clean) await runInChroot(this.commands, root, this.tool(root), ['clean', 'all'], ctx);
  }

  private tool(root: string): 'dnf' | 'yum' {
    return existsInside(root, '/usr/bin/dnf') ? 'dnf' : 'yum';
  }
}
