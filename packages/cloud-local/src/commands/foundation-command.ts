import { type PluginCommand, type PluginCommandContext, type RunOutcome, UsageError } from '@aminator/core';
import type { LocalImageStore } from '@aminator/local-store';
import { buildFoundation } from '../foundation/build-foundation.js';
import { foundationOptions } from '../foundation/foundation-options.js';
import type { LocalConfig } from '../local-config.js';
import { commandStore, STORE_OPTION } from './command-store.js';

export const foundationCommand: PluginCommand<LocalConfig> = {
  name: 'foundation',
  summary: 'build a bootable base image from nothing (debootstrap, or dnf --installroot) into the local store',
  // One line per paragraph: the help wraps it to the terminal (hard breaks made ragged lines at 80 columns).
  description: [
    [
      'Build a base image to bake on. Debian/Ubuntu: debootstrap --variant=minbase plus the cloud kernel,',
      "initramfs, systemd (networkd: DHCP on every ethernet) and GRUB, in Debian's cloud layout — GPT with a",
      'BIOS boot partition, an EFI system partition and the root — so one image boots under BIOS and UEFI,',
      'serial and VGA console; fstab and the kernel command line name the root by UUID. No password, no SSH',
      'key: add what you need with --include (openssh-server, cloud-init). --minimal makes a root file',
      'system only (no kernel, no boot loader: fast, for tests). Red Hat family (dnf --installroot from',
      "--repo) is a root file system only for now. The Debian mirror defaults to this host's.",
      '--arch arm64 makes an arm64 image on any host (UEFI only, EFI/BOOT/BOOTAA64.EFI, as Graviton boots):',
      "on x86_64 the image's programs run through the kernel's binfmt_misc and qemu-user-static, checked",
      'before anything is made.',
    ].join(' '),
    '',
    [
      'It runs as a bake does: a step list on a terminal (plan, create-disk, partition, install, configure,',
      'boot-loader, teardown, publish, cleanup), plain lines in CI, events with --json; a failure or a',
      'signal undoes every step; `aminate cleanup` reclaims what a kill -9 left.',
    ].join(' '),
    '',
    'Examples:',
    '  aminate foundation --name debian-12 --size 2G',
    '  aminate foundation --name debian-12 --dry-run',
    '  aminate foundation --name debian-12-min --minimal --partition-table none',
    '  aminate foundation --name debian-12-arm64 --arch arm64     (on x86_64: needs qemu-user-static)',
  ].join('\n'),
  options: [
    { flags: '--name <name>', description: 'name of the new base image (required)', required: true },
    { flags: '--os <name>', description: 'the os plugin that provides the foundation: debian, redhat, or one you installed', defaultValue: 'debian' },
    {
      flags: '--arch <arch>',
      description:
        "architecture of the image: x86_64 (amd64) or arm64 (aarch64); default this host's. Another than the host's runs its programs through qemu-user-static",
    },
    { flags: '--suite <suite>', description: "Debian/Ubuntu release (default: this host's)" },
    { flags: '--mirror <url>', description: "Debian mirror (default: from this host's apt sources)" },
    { flags: '--repo <url>', description: 'Red Hat family: repository with the base packages' },
    { flags: '--releasever <version>', description: 'Red Hat family: release version' },
    { flags: '--size <size>', description: 'disk size, e.g. 2G (bootable: at least 1G)', defaultValue: '2G' },
    { flags: '--minimal', description: 'a root file system only: no kernel, initramfs or boot loader (cannot boot)' },
    { flags: '--fs <type>', description: 'root file system', defaultValue: 'ext4', choices: ['ext4', 'xfs'] },
    {
      flags: '--partition-table <type>',
      description: 'gpt, or none (a whole-disk file system; needs --minimal)',
      defaultValue: 'gpt',
      choices: ['gpt', 'none'],
    },
    { flags: '--include <packages>', description: 'extra packages, comma-separated' },
    {
      flags: '--keyring <file>',
      description:
        "keyring the packages' signatures are checked against (Debian: this host's archive keyring; Red Hat family: the repository's GPG key, required)",
    },
    { flags: '--insecure-repo', description: 'install packages without checking their signatures (warned, and recorded in the image)' },
    { flags: '--force', description: 'replace an image with the same name' },
    { flags: '--dry-run', description: 'check the name, the options and the host tools, show the plan; make nothing' },
    STORE_OPTION,
  ],
  async run(_args, options, ctx) {
    return (await runFoundation(options, commandStore(options, ctx), ctx)).exitCode;
  },
};

/** `aminate foundation` with its options as given: the OS plugin named by `--os` plans what goes on the disk. */
export async function runFoundation(options: Readonly<Record<string, unknown>>, store: LocalImageStore, ctx: PluginCommandContext): Promise<RunOutcome> {
  const parsed = foundationOptions(options);
  const os = await ctx.plugin('os', parsed.os);
  if (!os.foundation) {
    throw new UsageError(`the os plugin ${parsed.os} does not build foundations`, {
      suggestions: ['use --os debian or --os redhat, or an os plugin whose README lists foundations'],
    });
  }
  const plan = os.foundation.plan({
    name: parsed.name,
    options,
    bootable: os.foundation.boots && !parsed.minimal,
    architecture: parsed.architecture.machine,
  });
  return buildFoundation(parsed, plan, store, ctx, options.dryRun === true);
}
