import type { CommandRunner, FoundationBuilder, FoundationPlan, FoundationRequest, PlanContext, StepContext } from '@aminator/core';
import { UsageError } from '@aminator/core';
import {
  CHROOT_DEV_TOOLS,
  findArchitecture,
  HostTools,
  hostArchiveKeyring,
  hostDebianMirror,
  hostDebianSuite,
  INSECURE_REPO_WARNING,
  includedPackages,
  keyringOption,
  parseArchitecture,
  readDpkgInventory,
  releaseName,
  requireEmulation,
  requireHostTools,
  requireKeyring,
  runInChroot,
  sourceUrl,
  writeFileInside,
} from '@aminator/linux-host';
import { BOOT_TOOLS, bootConfigFiles, debianBootLayout, debianBootPackages, debianBootTarget, installBootLoader } from './debian-boot-loader.js';

/**
 * Debian and Ubuntu foundations: debootstrap --variant=minbase from a mirror (default: this host's apt
 * sources' working entry and suite), every Release file checked against the archive keyring; for a
 * bootable image the cloud kernel, systemd and GRUB for BIOS and UEFI in Debian's cloud layout (arm64:
 * UEFI only). Another architecture than the host's is debootstrapped with `--arch`, its programs run
 * by the kernel's binfmt_misc emulator (checked in preflight).
 * Options read: `--suite`, `--mirror`, `--include`, `--keyring`, `--insecure-repo`.
 */
export class DebianFoundation implements FoundationBuilder {
  readonly boots = true;

  constructor(private readonly commands: CommandRunner) {}

  plan(request: FoundationRequest): FoundationPlan {
    const raw = request.options;
    const release = releaseName(String(raw.suite ?? hostDebianSuite() ?? ''), '--suite');
    const mirror = String(raw.mirror ?? hostDebianMirror() ?? '');
    if (!mirror) throw new UsageError("no Debian mirror: give --mirror URL (this host's apt sources name none)");
    const source = sourceUrl(mirror, '--mirror');
    const include = includedPackages(raw.include);
    const insecureRepo = raw.insecureRepo === true;
    const keyring = keyringOption(raw.keyring) ?? hostArchiveKeyring();
    const { commands } = this;
    const architecture = parseArchitecture(request.architecture);
    const target = debianBootTarget(architecture);
    if (request.bootable && !target) {
      throw new UsageError(`a bootable Debian foundation for ${architecture.machine} is not something this plugin can make`, {
        suggestions: ['add --minimal for a root file system only'],
      });
    }
    const bootTarget = request.bootable ? target : undefined;
    const packages = [...(bootTarget ? debianBootPackages(bootTarget) : []), ...include];
    return {
      family: 'debian',
      release,
      lines: [
        `from: ${source} ${release} (${architecture.dpkg})${include.length > 0 ? ` with ${include.join(', ')}` : ''}`,
        insecureRepo ? 'signatures: NOT checked (--insecure-repo)' : `signatures: checked against ${keyring.file}`,
      ],
      warnings: insecureRepo ? [INSECURE_REPO_WARNING] : [],
      boot: bootTarget
        ? {
            layout: debianBootLayout(architecture, bootTarget),
            firmware: { bios: bootTarget.bios, uefi: true },
            files: bootConfigFiles(bootTarget),
            installBootLoader: (input, ctx) => installBootLoader(input, bootTarget, commands, ctx),
          }
        : undefined,
      async preflight(ctx: PlanContext): Promise<void> {
        requireHostTools([HostTools.debootstrap, ...(request.bootable ? [...BOOT_TOOLS, ...CHROOT_DEV_TOOLS] : [])], { needsRoot: !ctx.dryRun });
        requireKeyring(keyring, insecureRepo);
        // debootstrap's second stage runs the new system's programs in a chroot.
        requireEmulation(architecture, { subject: 'the new image' });
      },
      async install(root: string, ctx: StepContext): Promise<void> {
        const including = packages.length > 0 ? [`--include=${packages.join(',')}`] : [];
        // debootstrap takes no `--`; the release and mirror were validated, the root is ours.
        // --force-check-gpg: without it, a missing keyring makes debootstrap skip the Release signature silently.
        const signatures = insecureRepo ? ['--no-check-gpg'] : ['--force-check-gpg', `--keyring=${keyring.file}`];
        await commands.run('debootstrap', ['--variant=minbase', `--arch=${architecture.dpkg}`, ...signatures, ...including, release, root, source], {
          signal: ctx.signal,
          timeoutMs: 3_600_000,
          onLine: (line) => ctx.log.debug(line),
          // The kernel's postinst would build an initramfs here and initramfs-tools' trigger another
          // one, both before the image's configuration is written: the boot-loader step builds the one
          // the image boots with, once (under emulation each build took ~3.5 minutes).
          env: bootTarget ? { INITRD: 'No' } : undefined,
        });
        await runInChroot(commands, root, 'apt-get', ['clean'], ctx);
      },
      async configure(root: string, ctx: StepContext): Promise<{ architecture: string }> {
        await writeFileInside(root, '/etc/apt/sources.list', `deb ${source} ${release} main\n`, 0o644);
        const dpkg = (await runInChroot(commands, root, 'dpkg', ['--print-architecture'], ctx)).stdout.trim();
        return { architecture: findArchitecture(dpkg)?.machine ?? dpkg };
      },
      async inventory(root: string) {
        return readDpkgInventory(root);
      },
    };
  }
}
