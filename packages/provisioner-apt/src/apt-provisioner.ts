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
  sleep,
} from '@aminator/core';
import {
  classifySpec,
  HostTools,
  type InstallDiagnostics,
  type PackageArchitectureReader,
  type PackageManager,
  provisionWith,
  readDpkgInventory,
  requireLocalPackageFitsBase,
  runInChroot,
} from '@aminator/linux-host';
import type { AptConfig } from './apt-config.js';
import { splitDebianVersion } from './debian-version.js';

const DEB_ARCHITECTURE: PackageArchitectureReader = {
  tool: HostTools.dpkgDeb,
  args: (file) => ['--field', '--', file, 'Architecture'],
  neutral: ['all'],
};

/** Debian package names (policy 5.6.1), optionally pinned `=version`. */
const DEB_NAME = /^[a-z0-9][a-z0-9+.-]{0,127}(=[A-Za-z0-9.+~:-]{1,127})?$/;
/**
 * Translations (6 MB for bookworm's main) describe packages to people; an install never reads them.
 * Indexes as gzip where the repository has both: xz's decoding is what a fresh index costs, natively
 * (2.2 → 1.7 s for bookworm's main here) and far more under qemu-user (13.4 → 9.0 s for arm64). The
 * Release file's hashes check either; a repository with only xz is still read.
 */
const APT_UPDATE_OPTIONS = ['-o', 'Acquire::Languages=none', '-o', 'Acquire::CompressionTypes::Order::=gz'] as const;
/**
 * No source cache (`srcpkgcache.bin`, 36 MB for bookworm's main): `update` writes it beside the
 * package cache, and once dpkg has run `install` builds the package cache again from it for a next
 * apt run that a bake does not have (`apt-get clean` deletes both; a script in postInstallDir that
 * runs apt builds its cache as on any machine). ~0.2 s less for `hello` here, the same image.
 */
const APT_CACHE_OPTIONS = ['-o', 'Dir::Cache::srcpkgcache='] as const;

const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive', DEBCONF_NONINTERACTIVE_SEEN: 'true', APT_LISTCHANGES_FRONTEND: 'none' };
const APT_UNITS: Readonly<Record<string, number>> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 };

/** What apt prints (LANG=C.UTF-8 in the chroot) for the causes `explainInstallFailure` looks for. */
export const APT_DIAGNOSTICS: InstallDiagnostics = {
  unreachable:
    /Temporary failure resolving|Could not resolve|Could not connect to|Unable to connect to|Connection failed|Connection timed out|No route to host|Network is unreachable|connect \(\d+: /,
  unsatisfiable: /unmet dependencies|held broken packages|but it is not (going to be )?installable|but [^ ]+ is to be installed|Unable to correct problems/,
  notFound: /Unable to locate package|has no installation candidate|Couldn't find any package by/,
  versionNotFound: /Version '[^']*' for '[^']*' was not found/,
  signature:
    /NO_PUBKEY|is not signed|does not have a Release file|signatures couldn't be verified|signatures were invalid|BADSIG|EXPKEYSIG|REVKEYSIG|There were unauthenticated packages|cannot be authenticated/,
  locked: /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock the administration directory|is held by process \d+/,
  scriptFailed: (line) =>
    /(?:installed|new) ([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9]+)? package (?:pre|post)-(?:installation|removal) script subprocess returned error exit status/.exec(
      line,
    )?.[1],
  neededBytes: (line) => {
    const [, amount, unit = 'B'] = /After this operation, ([\d.,]+) ([kMG]?B) of additional disk space will be used/.exec(line) ?? [];
    return amount ? Number(amount.replace(/,/g, '')) * (APT_UNITS[unit] ?? 1) : undefined;
  },
};

/** Installs with apt-get inside the chroot; everything the user gives comes after `--`. */
@injectable()
export class AptProvisioner implements Provisioner, PackageManager {
  readonly diagnostics = APT_DIAGNOSTICS;

  constructor(
    @inject(PROVISIONER_CONFIG) private readonly config: AptConfig,
    @inject(COMMAND_RUNNER) private readonly commands: CommandRunner,
  ) {}

  parseSpec(raw: string): PackageSpec {
    return classifySpec(raw, { extension: '.deb', name: DEB_NAME, pinSeparator: '=', example: 'nginx or nginx=1.22.1-9' });
  }

  /** A local .deb must be for the base image's architecture (or `all`): read from its control file on the host. */
  preflight(plan: BakePlan, ctx: PlanContext): Promise<void> {
    return requireLocalPackageFitsBase(plan, DEB_ARCHITECTURE, this.commands, ctx);
  }

  describePlan(): readonly string[] {
    return [
      `provisioner apt: apt-get update (up to ${this.config.updateAttempts} attempts), apt-get install${this.config.installRecommends ? '' : ' --no-install-recommends'}, then ${this.config.postInstallDir}/*.sh`,
    ];
  }

  provision(input: ProvisionInput, ctx: StepContext): Promise<InstalledPackage> {
    return provisionWith(this, this.commands, input, { ...this.config, extension: '.deb', maxBytes: this.config.maxDownloadBytes }, ctx);
  }

  /** dpkg's status file, read on the host side: what the SBOM and the delta list. */
  async inventory(chroot: PreparedChroot): Promise<PackageInventory> {
    return readDpkgInventory(chroot.root);
  }

  /**
   * apt-get update exits 0 when a mirror cannot be reached (it only warns and keeps old lists): such
   * an attempt is retried like a failed one, and after the last the install goes ahead — it fails
   * on its own if it needed the mirror, and is then explained with these lines.
   */
  async refresh(root: string, ctx: StepContext, onLine: (line: string) => void): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let unreachable = false;
      const watch = (line: string): void => {
        onLine(line);
        unreachable ||= APT_DIAGNOSTICS.unreachable.test(line);
      };
      try {
        await runInChroot(this.commands, root, 'apt-get', ['-q', ...APT_UPDATE_OPTIONS, ...APT_CACHE_OPTIONS, 'update'], ctx, {
          env: APT_ENV,
          timeoutMs: 600_000,
          onLine: watch,
        });
        if (!unreachable) return;
        if (attempt >= this.config.updateAttempts) {
          ctx.log.warn('apt-get update could not reach every repository; installing with the package lists the image has');
          return;
        }
      } catch (error) {
        if (attempt >= this.config.updateAttempts || ctx.signal.aborted) throw error;
      }
      ctx.log.warn(`apt-get update failed (attempt ${attempt} of ${this.config.updateAttempts}), retrying`);
      await sleep(this.config.retryDelayMs * attempt, ctx.signal);
    }
  }

  async install(root: string, target: string, ctx: StepContext, onLine: (line: string) => void): Promise<void> {
    const options = ['-y', '-q', ...APT_CACHE_OPTIONS, '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];
    if (!this.config.installRecommends) options.push('--no-install-recommends');
    if (this.config.allowDowngrades) options.push('--allow-downgrades');
    if (!this.config.dpkgSync) options.push('-o', 'Dpkg::Options::=--force-unsafe-io');
    await runInChroot(this.commands, root, 'apt-get', ['install', ...options, '--', target], ctx, {
      env: APT_ENV,
      timeoutMs: this.config.installTimeoutMs,
      showOutput: true,
      onLine,
    });
  }

  async nameOfFile(root: string, fileInChroot: string, ctx: StepContext): Promise<string> {
    return (await runInChroot(this.commands, root, 'dpkg-deb', ['--field', fileInChroot, 'Package'], ctx)).stdout.trim();
  }

  async query(root: string, name: string, ctx: StepContext): Promise<InstalledPackage> {
    const packageName = name.split('=')[0] as string;
    const { stdout } = await runInChroot(
      this.commands,
      root,
      'dpkg-query',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format, not a template
      ['--show', '--showformat', '${Package}\t${Version}\t${Architecture}\n', '--', packageName],
      ctx,
    );
    const [pkg = packageName, full = '', arch = ''] = stdout.trim().split('\t');
    return { name: pkg, ...splitDebianVersion(full), arch };
  }

  async clean(root: string, ctx: StepContext): Promise<void> {
    if (this.config.clean) await runInChroot(this.commands, root, 'apt-get', ['clean'], ctx, { env: APT_ENV });
  }
}
