import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AminatorError, type BootMode, EXIT_USAGE, plainText, pollUntil, processStartTicks, type StepContext } from '@aminator/core';
import { stopProcess } from '@aminator/linux-host';
import type { QemuConfig } from './qemu-config.js';
import { QemuErrorCodes } from './qemu-errors.js';
import { nativeGuest, type QemuMachine } from './qemu-machine.js';
import { writeUefiRom } from './uefi-rom.js';
import { OVMF_VARS, PID_FILE, UEFI_ROM } from './verify-files.js';

export interface Forward {
  readonly hostPort: number;
  readonly guestPort: number;
}

export interface VmOptions {
  /** The emulated machine for the image's architecture. */
  readonly machine: QemuMachine;
  readonly disk: string;
  readonly mode: BootMode;
  /** Where the VM's files go: firmware variables, serial logs, pid file. */
  readonly dir: string;
  readonly forwards: readonly Forward[];
  /** The serial console to this file; with `interactive`, to the terminal instead. */
  readonly consoleLog?: string;
  /** The check channel (the machine's report channel) to this file. */
  readonly channelLog?: string;
  readonly interactive?: boolean;
}

/** A running qemu: stopped by `stop()` (SIGTERM, then SIGKILL), which the caller pushes as an undo. */
export interface RunningVm {
  readonly pid: number;
  /** When qemu was started (ms since the epoch), for boot times. */
  readonly startedAt: number;
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * A boot sector that writes `K` to the first serial port and halts: 8 bytes of code, the signature,
 * nothing else. If a guest under KVM prints it, KVM works here.
 */
function probeSector(): Buffer {
  const sector = Buffer.alloc(512);
  Buffer.from([0xb0, 0x4b, 0xba, 0xf8, 0x03, 0xee, 0xfa, 0xf4]).copy(sector); // mov al,'K'; mov dx,0x3f8; out dx,al; cli; hlt
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

let kvm: Promise<boolean> | undefined;

/**
 * Whether KVM really runs a guest here. /dev/kvm alone says little: under nested virtualisation it
 * can exist and then crash qemu or hang the guest (seen on these build machines, where the probe
 * below also took over 4 s to print), so a one-sector guest is booted under KVM and must print
 * within 2 s — a working KVM does it in a fraction of that. `accel: kvm` in config skips the probe.
 */
export function kvmUsable(): Promise<boolean> {
  kvm ??= probeKvm();
  return kvm;
}

async function probeKvm(): Promise<boolean> {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  const dir = await mkdtemp(join(tmpdir(), 'aminator-kvm-probe-'));
  try {
    const disk = join(dir, 'probe.raw');
    const out = join(dir, 'serial.out');
    await writeFile(disk, probeSector());
    const child = spawn(
      'qemu-system-x86_64',
      [
        '-machine',
        'pc,accel=kvm',
        '-m',
        '16',
        '-display',
        'none',
        '-monitor',
        'none',
        '-nodefaults',
        '-no-reboot',
        '-drive',
        `file=${disk},format=raw,if=ide`,
        '-serial',
        `file:${out}`,
      ],
      { stdio: 'ignore' },
    );
    const running = (): boolean => child.exitCode === null && child.signalCode === null;
    const printed = await pollUntil(async () => ((await readFile(out, 'utf8').catch(() => '')).includes('K') ? true : running() ? undefined : false), {
      what: 'the KVM probe',
      timeoutMs: 2_000,
      signal: new AbortController().signal,
      initialDelayMs: 50,
      firstDelayMs: 50,
      maxDelayMs: 50,
    }).catch(() => false);
    child.kill('SIGKILL');
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    return printed;
  } catch {
    return false;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * qemu's arguments: the image's own boot loader (never `-kernel`), BIOS (SeaBIOS) or UEFI (OVMF or
 * AAVMF with a private copy of its variables), virtio disk and network, no monitor, no display. The
 * network is user-mode and restricted: the guest runs code nobody reviewed (the baked package, a
 * foreign AMI), so it reaches nothing — not the host's loopback through 10.0.2.2, not instance
 * metadata — and is reached only through the forwarded ports, which listen on 127.0.0.1.
 */
export function qemuArgs(options: VmOptions, config: QemuConfig, accel: 'kvm' | 'tcg'): string[] {
  const { machine } = options;
  const forwards = options.forwards.map((f) => `,hostfwd=tcp:127.0.0.1:${f.hostPort}-:${f.guestPort}`).join('');
  const firmware = machine.firmware(config);
  return [
    ...machine.machineArgs(accel),
    '-m',
    String(config.memoryMiB),
    '-smp',
    String(config.cpus),
    '-display',
    'none',
    '-monitor',
    'none',
    '-no-reboot',
    '-nodefaults',
    ...(options.mode !== 'uefi'
      ? []
      : machine.uefiLoad === 'rom'
        ? ['-bios', join(options.dir, UEFI_ROM)]
        : [
            '-drive',
            `if=pflash,format=raw,readonly=on,file=${optionValue(firmware.code)}`,
            '-drive',
            `if=pflash,format=raw,file=${optionValue(join(options.dir, OVMF_VARS))}`,
          ]),
    '-drive',
    `file=${optionValue(options.disk)},format=raw,if=none,id=disk0,cache=unsafe`,
    // First in the firmware's boot order: OVMF then connects only the devices that order names, not
    // the NIC and the whole UEFI network stack on top of it (~0.35 s under TCG); the guest sees the same devices.
    '-device',
    'virtio-blk-pci,drive=disk0,bootindex=0',
    '-netdev',
    `user,id=net0,restrict=on${forwards}`,
    '-device',
    'virtio-net-pci,netdev=net0',
    // Entropy from the host: under TCG the emulated CPU has no RDRAND, and the guest's getrandom()
    // (systemd-random-seed, early in sysinit) otherwise waits ~2 s for its pool — every unit after it too.
    '-device',
    'virtio-rng-pci',
    // Interactive: Ctrl-C goes to the guest (signal=off); the mux gives Ctrl-A X to leave.
    ...(options.interactive ? ['-chardev', 'stdio,id=console,mux=on,signal=off', '-serial', 'chardev:console'] : ['-serial', `file:${options.consoleLog}`]),
    ...(options.channelLog ? channelArgs(machine, options.channelLog) : []),
    '-pidfile',
    join(options.dir, PID_FILE),
  ];
}

function channelArgs(machine: QemuMachine, file: string): string[] {
  if (machine.channel.kind === 'serial') return ['-serial', `file:${file}`];
  return [
    '-device',
    'virtio-serial-pci',
    '-chardev',
    `file,id=aminator-report,path=${optionValue(file)}`,
    '-device',
    `virtserialport,chardev=aminator-report,name=${machine.channel.name}`,
  ];
}

/** A value inside one of qemu's comma-separated option lists: a comma in it is written twice. */
function optionValue(value: string): string {
  return value.replaceAll(',', ',,');
}

/** The UEFI firmware files a boot writes to, made fresh in its directory. */
async function privateFirmware(machine: QemuMachine, config: QemuConfig, dir: string): Promise<void> {
  const firmware = machine.firmware(config);
  if (machine.uefiLoad === 'rom') await writeUefiRom(firmware, join(dir, UEFI_ROM));
  else await copyFile(firmware.vars, join(dir, OVMF_VARS));
}

/** Start qemu (its own process group, so a Ctrl-C on the terminal reaches aminate, not qemu). */
export async function startVm(options: VmOptions, config: QemuConfig, ctx: StepContext): Promise<RunningVm> {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const { machine } = options;
  if (options.mode === 'uefi') await privateFirmware(machine, config, options.dir);
  const accel = await chooseAccel(machine, config);
  const args = qemuArgs(options, config, accel);
  const binary = machine.binary.command;
  ctx.log.debug(`${binary} ${args.join(' ')}`);
  const startedAt = Date.now();
  const child: ChildProcess = spawn(binary, args, {
    stdio: options.interactive ? 'inherit' : ['ignore', 'ignore', 'pipe'],
    detached: !options.interactive,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (error) => resolve(error));
  });
  if (spawned || child.pid === undefined) {
    throw new AminatorError(`cannot start ${binary}: ${spawned?.message ?? 'no pid'}`, {
      code: QemuErrorCodes.QEMU_FAILED,
      exitCode: EXIT_USAGE,
      cause: spawned,
      suggestions: [`apt-get install ${machine.binary.debianPackage} ${machine.firmware(config).package}`],
    });
  }
  const pid = child.pid;
  const ticks = processStartTicks(pid);
  const tcgWhy = nativeGuest(machine) ? 'no KVM here' : `an ${machine.architecture} guest is emulated`;
  ctx.log.info(
    `booting the ${machine.architecture} image in qemu (${options.mode.toUpperCase()}, ${accel === 'kvm' ? 'KVM' : `TCG: ${tcgWhy}, a boot takes a minute or more`})`,
  );
  return {
    pid,
    startedAt,
    exited: exited.then((code) => {
      if (code !== 0 && code !== null && stderr.trim()) ctx.log.warn(`qemu exited with ${code}: ${stderr.trim()}`);
      return code;
    }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await stopProcess(pid, ticks, 3_000);
      await exited;
    },
  };
}

/**
 * KVM where it really works and the guest is of the host's architecture (the probe boots an x86
 * sector, so only x86_64 hosts probe: elsewhere `accel: kvm` in config asks for it); TCG otherwise.
 */
async function chooseAccel(machine: QemuMachine, config: QemuConfig): Promise<'kvm' | 'tcg'> {
  if (!nativeGuest(machine)) return 'tcg';
  if (config.accel !== 'auto') return config.accel;
  return machine.architecture === 'x86_64' && (await kvmUsable()) ? 'kvm' : 'tcg';
}

/** The last lines of a serial log, for an error message. */
export async function tail(file: string, lines = 25): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  // The guest wrote it: nothing of it may act on the user's terminal.
  const clean = plainText(text);
  return clean
    .split('\n')
    .filter((l) => l.trim())
    .slice(-lines)
    .map((l) => `  | ${l}`)
    .join('\n');
}
