import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AminatorError, type BootDiskLayout, type BootLoaderInput, type CommandRunner, type StepContext } from '@aminator/core';
import { type Architecture, attachLoop, detachLoop, type HostTool, HostTools, LinuxErrorCodes, pathInside, runInChroot } from '@aminator/linux-host';

/** GPT type GUIDs of the two boot partitions. */
const BIOS_BOOT = '21686148-6449-6E6F-744E-656564454649';
const EFI_SYSTEM = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

/**
 * Debian's cloud-image layout, in 512-byte sectors: BIOS boot partition 14 (3 MiB), EFI system
 * partition 15 (124 MiB), root partition 1 from 128 MiB to the end. One disk boots under legacy BIOS
 * (GRUB's core image in partition 14) and UEFI (the removable-media path on partition 15).
 */
export const BOOT_LAYOUT = {
  biosBoot: { number: 14, start: 2048, size: 6144 },
  esp: { number: 15, start: 8192, size: 253952 },
  rootStart: 262144,
} as const;

/**
 * How a Debian image boots on one architecture: x86_64 under BIOS (GRUB's core image in the BIOS boot
 * partition) and UEFI; arm64 under UEFI only, as every arm64 EC2 instance and qemu's `virt` machine
 * boot. Each names the kernel and GRUB packages, GRUB's EFI platform and the file name UEFI looks for
 * on removable media, and the kernel's consoles (arm64's `virt` has a PL011 UART, ttyAMA0; Graviton a
 * 16550, ttyS0: the kernel uses whichever exists).
 */
export interface DebianBootTarget {
  readonly kernelPackage: string;
  readonly grubPackages: readonly string[];
  readonly bios: boolean;
  /** GRUB's platform directory under /usr/lib/grub and grub-mkimage's format. */
  readonly efiPlatform: string;
  readonly efiFile: string;
  readonly consoles: string;
  /** GRUB's own terminals: arm64's GRUB talks through the firmware's console, which is the serial port. */
  readonly grubTerminal: string;
}

const BOOT_TARGETS: Readonly<Record<string, DebianBootTarget>> = {
  x86_64: {
    kernelPackage: 'linux-image-cloud-amd64',
    grubPackages: ['grub-pc-bin', 'grub-efi-amd64-bin'],
    bios: true,
    efiPlatform: 'x86_64-efi',
    efiFile: 'BOOTX64.EFI',
    consoles: 'console=tty0 console=ttyS0,115200n8',
    grubTerminal: 'console serial',
  },
  arm64: {
    kernelPackage: 'linux-image-cloud-arm64',
    grubPackages: ['grub-efi-arm64-bin'],
    bios: false,
    efiPlatform: 'arm64-efi',
    efiFile: 'BOOTAA64.EFI',
    consoles: 'console=tty0 console=ttyS0,115200n8 console=ttyAMA0,115200n8',
    grubTerminal: 'console',
  },
};

/** The boot target for an architecture, or undefined where Debian foundations cannot boot. */
export function debianBootTarget(architecture: Architecture): DebianBootTarget | undefined {
  return BOOT_TARGETS[architecture.machine];
}

/** The layout as a foundation builder lays out the disk; the partitions after the first are named by node to get their numbers. */
export function debianBootLayout(architecture: Architecture, target: DebianBootTarget): BootDiskLayout {
  return {
    bytesBeforeRoot: BOOT_LAYOUT.rootStart * 512,
    sfdiskScript(disk: string): string {
      const { biosBoot, esp, rootStart } = BOOT_LAYOUT;
      return [
        'label: gpt',
        `start=${rootStart}, type=${architecture.gptRootType}, name=root`,
        ...(target.bios ? [`${disk}${biosBoot.number} : start=${biosBoot.start}, size=${biosBoot.size}, type=${BIOS_BOOT}, name=bios-boot`] : []),
        `${disk}${esp.number} : start=${esp.start}, size=${esp.size}, type=${EFI_SYSTEM}, name=esp`,
        '',
      ].join('\n');
    },
  };
}

/**
 * What a bootable Debian needs beyond minbase: the cloud kernel (virtio, NVMe, ENA, Xen drivers),
 * initramfs, systemd as init with networkd and resolved, and GRUB for the target's firmware — the
 * `-bin` packages, whose maintainer scripts never run grub-install on a device.
 */
export function debianBootPackages(target: DebianBootTarget): string[] {
  return [target.kernelPackage, 'initramfs-tools', 'zstd', 'systemd-sysv', 'systemd-resolved', 'udev', 'dbus', 'kmod', ...target.grubPackages, 'grub2-common'];
}

/** Host commands a bootable foundation adds (GRUB itself runs from the image). */
export const BOOT_TOOLS: readonly HostTool[] = [HostTools.mkfsVfat, HostTools.mmd, HostTools.mcopy];

/** Files that make the image boot on any hypervisor: consoles, DHCP on every ethernet, no resume device. */
export function bootConfigFiles(target: DebianBootTarget): Record<string, string> {
  return {
    '/etc/default/grub.d/50-aminator.cfg': [
      '# written by aminate foundation: serial and VGA console, no menu wait (as cloud images boot)',
      'GRUB_TIMEOUT=0',
      // Ubuntu's GRUB waits 30 s at a menu after a boot it counts as failed; a cloud instance has nobody there.
      'GRUB_RECORDFAIL_TIMEOUT=0',
      `GRUB_CMDLINE_LINUX="${target.consoles}"`,
      'GRUB_CMDLINE_LINUX_DEFAULT=""',
      `GRUB_TERMINAL="${target.grubTerminal}"`,
      ...(target.grubTerminal.includes('serial') ? ['GRUB_SERIAL_COMMAND="serial --speed=115200"'] : []),
      'GRUB_DISABLE_OS_PROBER=true',
      '',
    ].join('\n'),
    '/etc/systemd/network/50-aminator-dhcp.network': '# written by aminate foundation\n[Match]\nType=ether\n\n[Network]\nDHCP=yes\n',
    // The build host's swap is no resume device of the image: without this the initramfs waits for it.
    '/etc/initramfs-tools/conf.d/resume': 'RESUME=none\n',
  };
}

/**
 * Install GRUB from the image into the disk, with the chroot prepared (private /dev showing the root
 * partition and the whole disk): grub.cfg by grub-mkconfig, checked to name the root by UUID; on
 * x86_64 the BIOS core image by grub-install; an EFI image at EFI/BOOT/BOOTX64.EFI (arm64:
 * BOOTAA64.EFI) of a fresh FAT file system written through a loop device at the ESP's offset (no vfat
 * driver or partition nodes needed).
 */
export async function installBootLoader(input: BootLoaderInput, target: DebianBootTarget, commands: CommandRunner, ctx: StepContext): Promise<void> {
  const { root, rootUuid } = input;
  await runInChroot(commands, root, 'systemctl', ['enable', 'systemd-networkd', 'systemd-resolved'], ctx);
  // Create, not update: the install left no initramfs (INITRD=No); every installed kernel gets one.
  await runInChroot(commands, root, 'update-initramfs', ['-c', '-k', 'all'], ctx);
  await mkdir(pathInside(root, '/boot/grub'), { recursive: true, mode: 0o755 });
  await runInChroot(commands, root, 'grub-mkconfig', ['-o', '/boot/grub/grub.cfg'], ctx);
  const config = await readFile(pathInside(root, '/boot/grub/grub.cfg'), 'utf8');
  if (!config.includes(`root=UUID=${rootUuid}`) || /root=\/dev\//.test(config)) {
    throw new AminatorError(`grub-mkconfig did not name the root file system by UUID ${rootUuid}`, {
      code: LinuxErrorCodes.BOOT_LOADER,
      suggestions: ["run with --debug to see grub-mkconfig's output", 'or build with --minimal (no boot loader)'],
    });
  }
  ctx.progress(`installing GRUB for ${target.bios ? 'BIOS and ' : ''}UEFI`);
  if (target.bios) {
    await runInChroot(
      commands,
      root,
      'grub-install',
      ['--target=i386-pc', '--boot-directory=/boot', '--modules=part_gpt ext2', '--no-floppy', input.diskDevice],
      ctx,
    );
  }
  const efi = await efiImage(root, rootUuid, target, commands, ctx);
  await writeEsp(input.diskFile, efi, target.efiFile, commands, ctx);
}

const EFI_MODULES = [
  'part_gpt',
  'part_msdos',
  'ext2',
  'fat',
  'search',
  'search_fs_uuid',
  'normal',
  'linux',
  'configfile',
  'echo',
  'gzio',
  'serial',
  'terminal',
  'efi_gop',
  'all_video',
  'test',
];

/**
 * GRUB's EFI image, made by the image's grub-mkimage into the chroot's /run (a tmpfs: nothing stays in
 * the image). Its embedded config finds the root file system by UUID, so the EFI partition holds
 * nothing that a kernel update must change; the modules grub.cfg loads go to /boot/grub/<platform>.
 */
async function efiImage(root: string, rootUuid: string, target: DebianBootTarget, commands: CommandRunner, ctx: StepContext): Promise<string> {
  const platform = target.efiPlatform;
  const modules = pathInside(root, `/usr/lib/grub/${platform}`);
  await cp(modules, pathInside(root, `/boot/grub/${platform}`), { recursive: true, filter: (source) => source === modules || /\.(mod|lst)$/.test(source) });
  const dir = pathInside(root, '/run/aminator-efi');
  await mkdir(dir, { mode: 0o700 });
  await writeFile(join(dir, 'embedded.cfg'), `search --no-floppy --fs-uuid --set=root ${rootUuid}\nset prefix=($root)/boot/grub\n`);
  await runInChroot(
    commands,
    root,
    'grub-mkimage',
    [
      `--directory=/usr/lib/grub/${platform}`,
      `--format=${platform}`,
      `--output=/run/aminator-efi/${target.efiFile}`,
      '--config=/run/aminator-efi/embedded.cfg',
      '--prefix=/boot/grub',
      ...EFI_MODULES,
    ],
    ctx,
  );
  return join(dir, target.efiFile);
}

async function writeEsp(diskFile: string, efi: string, efiFile: string, commands: CommandRunner, ctx: StepContext): Promise<void> {
  const { esp } = BOOT_LAYOUT;
  const loop = await attachLoop(commands, diskFile, { offsetBytes: esp.start * 512, sizeBytes: esp.size * 512, signal: ctx.signal });
  try {
    await commands.run('mkfs.vfat', ['-n', 'EFI', loop], { signal: ctx.signal });
    await commands.run('mmd', ['-i', loop, '::/EFI', '::/EFI/BOOT'], { signal: ctx.signal });
    await commands.run('mcopy', ['-i', loop, efi, `::/EFI/BOOT/${efiFile}`], { signal: ctx.signal });
  } finally {
    await detachLoop(commands, loop);
  }
}
