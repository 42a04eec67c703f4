import { AminatorError, type BootMode, EXIT_USAGE } from '@aminator/core';
import { findArchitecture, type HostTool, HostTools, hostArchitecture } from '@aminator/linux-host';
import type { QemuConfig } from './qemu-config.js';
import { QemuErrorCodes } from './qemu-errors.js';

/** Where the guest writes its report: a serial port of its own, or a named virtio-serial port. */
export type ReportChannel = { readonly kind: 'serial'; readonly guestDevice: string } | { readonly kind: 'virtio-port'; readonly name: string };

/**
 * The emulated machine an image of one architecture boots in. x86_64: the `q35` machine, SeaBIOS or
 * OVMF, two 16550 UARTs (ttyS0 the console, ttyS1 the report). arm64: the `virt` machine, UEFI only
 * (AAVMF), one PL011 UART (ttyAMA0) — so the report goes to a virtio-serial port, which the guest's
 * udev names /dev/virtio-ports/<name>.
 */
export interface QemuMachine {
  readonly architecture: string;
  readonly binary: HostTool;
  /** The firmware it has: an image is booted only in the modes both it and its machine have. */
  readonly modes: readonly BootMode[];
  /** The guest's serial console (its getty gets the autologin of `aminate boot`). */
  readonly consoleTty: string;
  readonly channel: ReportChannel;
  /** The -machine and -cpu arguments. */
  machineArgs(accel: 'kvm' | 'tcg'): string[];
  /** UEFI firmware: the code (read-only) and the variables a private copy is made of. */
  firmware(config: QemuConfig): { readonly code: string; readonly vars: string; readonly package: string };
  /**
   * How the UEFI firmware is loaded: `rom`, one private image (variables, then code) as the machine's
   * ROM with the variables kept in memory for the boot; `pflash`, the code read-only and a private copy
   * of the variables as two flash devices.
   */
  readonly uefiLoad: 'rom' | 'pflash';
}

export const REPORT_PORT = 'org.aminator.verify';

const MACHINES: readonly QemuMachine[] = [
  {
    architecture: 'x86_64',
    binary: HostTools.qemuSystem,
    modes: ['bios', 'uefi'],
    consoleTty: 'ttyS0',
    channel: { kind: 'serial', guestDevice: '/dev/ttyS1' },
    // q35, not pc: pc's board carries a PIIX IDE controller whose driver the guest's initramfs loads and
    // probes, and routes PCI interrupts through links the guest programs by ACPI one by one (~0.15–0.3 s
    // each under TCG); q35's are fixed. The disk, NIC and entropy are the same virtio devices either way.
    // Nothing ever shows a display (-display none): without a VGA device SeaBIOS skips its option ROM
    // and the guest draws no framebuffer console, which under TCG is emulated instruction by instruction.
    machineArgs: (accel) => ['-machine', `q35,accel=${accel}`, '-vga', 'none'],
    firmware: (config) => ({ code: config.ovmfCode, vars: config.ovmfVars, package: HostTools.ovmfCode.debianPackage }),
    // Under TCG OVMF reaches its boot manager ~1 s sooner from ROM than from two flash devices: on
    // flash each variable it writes at start-up is programmed through emulated flash commands.
    uefiLoad: 'rom',
  },
  {
    architecture: 'arm64',
    binary: HostTools.qemuSystemAarch64,
    modes: ['uefi'],
    consoleTty: 'ttyAMA0',
    channel: { kind: 'virtio-port', name: REPORT_PORT },
    // Under TCG a Cortex-A72: `max` adds pointer authentication, whose emulation costs every call and return.
    machineArgs: (accel) => ['-machine', `virt,accel=${accel}`, '-cpu', accel === 'kvm' ? 'host' : 'cortex-a72'],
    firmware: (config) => ({ code: config.aavmfCode, vars: config.aavmfVars, package: HostTools.aavmfCode.debianPackage }),
    // qemu's virt machine takes AAVMF's 64 MiB images as its two flash banks.
    uefiLoad: 'pflash',
  },
];

/** The machine for an image's architecture (as images carry it, or any name the tools use); absent: the host's. */
export function qemuMachine(architecture: string | undefined): QemuMachine {
  const wanted = architecture === undefined ? hostArchitecture() : findArchitecture(architecture);
  const machine = MACHINES.find((m) => m.architecture === wanted?.machine);
  if (machine) return machine;
  throw new AminatorError(`no qemu machine for images of architecture ${architecture ?? process.arch}`, {
    code: QemuErrorCodes.QEMU_FAILED,
    exitCode: EXIT_USAGE,
    suggestions: [`the qemu verifier boots ${MACHINES.map((m) => m.architecture).join(' and ')} images`],
  });
}

/** KVM only runs a guest of the host's own architecture; another one is emulated (TCG) whatever the config says. */
export function nativeGuest(machine: QemuMachine): boolean {
  return hostArchitecture()?.machine === machine.architecture;
}
