import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  AminatorError,
  assertPrivateDirectory,
  type BakePlan,
  type BootMode,
  COMMAND_RUNNER,
  type CommandRunner,
  EXIT_USAGE,
  type InteractiveBootInput,
  inject,
  injectable,
  type Leftover,
  type LeftoverContext,
  type PlanContext,
  pollUntil,
  removeDirIfPresent,
  removeFileIfPresent,
  type StepContext,
  TimeoutError,
  VERIFIER_CONFIG,
  type VerificationCheck,
  VerificationError,
  type VerificationResult,
  type Verifier,
  type VerifyInput,
} from '@aminator/core';
import { requireHostTools } from '@aminator/linux-host';
import { addCheckUnit, addConsoleAutologin, makeBootCopy } from './boot-copy.js';
import { type GuestReport, parseReport, reportChecks } from './guest-check.js';
import { freePort, httpCheck } from './host-checks.js';
import { HTTP_CHECK, type QemuConfig } from './qemu-config.js';
import { QemuErrorCodes } from './qemu-errors.js';
import { type QemuMachine, qemuMachine } from './qemu-machine.js';
import { QEMU_TOOLS } from './qemu-tools.js';
import { type Forward, startVm, tail } from './qemu-vm.js';
import { channelLogName, consoleLogName, isConsoleLog, OVMF_VARS, PID_FILE, UEFI_ROM, VERIFY_DIR } from './verify-files.js';
import { findVerifyLeftovers } from './verify-leftovers.js';

/** How often the check channel is read while a guest boots. */
const REPORT_POLL_MS = 100;

/**
 * Boots the registered image in qemu through its own boot loader — on a throwaway copy holding a
 * check unit — and proves it works: multi-user.target reached, the named units active, no failed
 * units, the named HTTP endpoints answering through ports forwarded to 127.0.0.1. The console log is
 * kept and quoted in the error.
 */
@injectable()
export class QemuVerifier implements Verifier {
  constructor(
    @inject(VERIFIER_CONFIG) private readonly config: QemuConfig,
    @inject(COMMAND_RUNNER) private readonly commands: CommandRunner,
  ) {}

  /** A bake knows its base image, whose architecture the new image has: its emulator is checked too. */
  async preflight(plan: BakePlan | undefined, ctx: PlanContext): Promise<void> {
    const machine = plan ? qemuMachine(plan.baseImage.architecture) : undefined;
    requireHostTools([...QEMU_TOOLS, ...(machine ? [machine.binary] : [])], { needsRoot: !ctx.dryRun });
  }

  describePlan(): readonly string[] {
    const checks = ['multi-user.target', ...this.config.units, ...this.config.http.map((h) => `GET :${h}`)];
    const accel = this.config.accel === 'auto' ? 'KVM if it works here, else TCG' : this.config.accel.toUpperCase();
    return [`verifier qemu: boot a copy of the image (${this.config.bootMode}) under ${accel}, check ${checks.join(', ')}`];
  }

  /** qemu, loop devices and files of verifications whose bake was killed. */
  findLeftovers(ctx: LeftoverContext): Promise<readonly Leftover[]> {
    return findVerifyLeftovers(ctx);
  }

  async verify(input: VerifyInput, ctx: StepContext): Promise<VerificationResult> {
    const machine = this.machineFor(input.disk.architecture);
    const modes = this.modes(machine, input.disk.bootModes);
    const dir = await this.bootDir(ctx);
    const logDir = this.config.logDir ?? join(dirname(ctx.workDir), 'verify-logs');
    await mkdir(logDir, { recursive: true, mode: 0o700 });
    // qemu writes the console where it is told and old logs are removed from here: a directory
    // another user could write (or a symlink's target) is never used.
    assertPrivateDirectory(logDir, 'verify log directory (verifier.qemu.logDir)');
    await pruneLogs(logDir, this.config.keepLogs);
    const checks: VerificationCheck[] = [];
    let evidence = '';
    let excerpt = '';
    for (const mode of modes) {
      const console = join(logDir, consoleLogName(ctx.runId, mode));
      const boot = await this.boot(input, machine, mode, dir, console, ctx);
      checks.push(...boot.map((c) => (modes.length > 1 ? { ...c, name: `[${mode}] ${c.name}` } : c)));
      evidence = evidence ? `${evidence}, ${console}` : console;
      if (boot.some((c) => !c.ok) && !excerpt) excerpt = `last lines of the ${mode.toUpperCase()} console (${console}):\n${await tail(console)}`;
    }
    if (checks.some((c) => !c.ok)) throw new VerificationError(checks, evidence, excerpt);
    for (const check of checks) ctx.log.info(`✓ ${check.name}${check.detail ? ` (${check.detail})` : ''}`);
    return { checks, evidence };
  }

  /**
   * `aminate boot`: a throwaway copy with root logged in on the serial console, which is this
   * terminal; the forwarded ports listen on 127.0.0.1. Ends when the guest powers off, or on Ctrl-A X.
   */
  async bootInteractive(input: InteractiveBootInput, ctx: StepContext): Promise<void> {
    const machine = this.machineFor(input.disk.architecture);
    const [mode] = this.modes(machine, input.disk.bootModes);
    const dir = await this.bootDir(ctx);
    this.requireFirmware(machine, mode as BootMode);
    const copy = await makeBootCopy(input.disk.path, dir, addConsoleAutologin(machine), this.commands, ctx);
    const vm = await startVm({ machine, disk: copy, mode: mode as BootMode, dir, forwards: input.forwards, interactive: true }, this.config, ctx);
    ctx.cleanup.push({ description: `stop qemu (pid ${vm.pid})`, resource: { kind: 'process', id: String(vm.pid) }, undo: () => vm.stop() });
    const ports = input.forwards.map((f) => `127.0.0.1:${f.hostPort} → ${f.guestPort}`).join(', ');
    ctx.log.info(
      `${input.image.name} is starting on this terminal (a throwaway copy; root is logged in on the console)${ports ? `; ports ${ports}` : ''}. Leave with \`poweroff\` in the guest, or Ctrl-A X`,
    );
    try {
      const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      await Promise.race([vm.exited, aborted]);
      if (ctx.signal.aborted) throw ctx.signal.reason;
    } finally {
      await vm.stop();
      await removeFileIfPresent(copy);
    }
  }

  /** The directory a boot works in, and the undo of every file qemu writes there (however the boot ended). */
  private async bootDir(ctx: StepContext): Promise<string> {
    const dir = join(ctx.workDir, VERIFY_DIR);
    await mkdir(dir, { mode: 0o700 });
    ctx.cleanup.push({ description: `remove ${dir}`, undo: () => removeDirIfPresent(dir) });
    for (const file of [OVMF_VARS, UEFI_ROM, PID_FILE]) {
      const path = join(dir, file);
      ctx.cleanup.push({ description: `remove ${path}`, undo: () => removeFileIfPresent(path) });
    }
    return dir;
  }

  /** The machine for the image's architecture, with its emulator on this host. */
  private machineFor(architecture: string | undefined): QemuMachine {
    const machine = qemuMachine(architecture);
    requireHostTools([machine.binary], { needsRoot: true });
    return machine;
  }

  private requireFirmware(machine: QemuMachine, mode: BootMode): void {
    const firmware = machine.firmware(this.config);
    if (mode === 'uefi' && !(existsSync(firmware.code) && existsSync(firmware.vars))) {
      const keys = machine.architecture === 'arm64' ? 'aavmfCode and aavmfVars' : 'ovmfCode and ovmfVars';
      throw new AminatorError(`no ${machine.architecture} UEFI firmware at ${firmware.code}`, {
        code: QemuErrorCodes.QEMU_FAILED,
        exitCode: EXIT_USAGE,
        suggestions: [`apt-get install ${firmware.package}`, `or set verifier.qemu.${keys}`],
      });
    }
  }

  /** The modes to boot in: of those the image says it boots in, the ones its machine has firmware for. */
  private modes(machine: QemuMachine, claimed: readonly BootMode[]): BootMode[] {
    const available = claimed.filter((mode) => machine.modes.includes(mode));
    if (available.length === 0) {
      throw new VerificationError([{ name: 'the image has a boot loader', ok: false, detail: 'its cloud says it boots in no mode (a --minimal foundation?)' }]);
    }
    const wanted = this.config.bootMode;
    if (wanted === 'auto') return [available[0] as BootMode];
    const modes: BootMode[] = wanted === 'both' ? ['bios', 'uefi'] : [wanted];
    const missing = modes.filter((m) => !available.includes(m));
    if (missing.length > 0)
      throw new VerificationError([{ name: `the image boots under ${missing.join(' and ')}`, ok: false, detail: `it boots under ${available.join(', ')}` }]);
    return modes;
  }

  /** One boot: copy, start, wait for the guest's report, ask the HTTP endpoints, stop. */
  private async boot(
    input: VerifyInput,
    machine: QemuMachine,
    mode: BootMode,
    dir: string,
    consoleLog: string,
    ctx: StepContext,
  ): Promise<VerificationCheck[]> {
    this.requireFirmware(machine, mode);
    const nonce = randomBytes(8).toString('hex');
    const copy = await makeBootCopy(input.disk.path, dir, addCheckUnit(nonce, this.config.units, machine.channel), this.commands, ctx);
    const http = this.config.http.map((check) => {
      const [, port = '0', path = '/'] = HTTP_CHECK.exec(check) ?? [];
      return { guestPort: Number(port), path };
    });
    const forwards: Forward[] = [];
    for (const check of http) forwards.push({ hostPort: await freePort(), guestPort: check.guestPort });
    const channelLog = join(dir, channelLogName(nonce));
    ctx.cleanup.push({ description: `remove ${channelLog}`, undo: () => removeFileIfPresent(channelLog) });
    const vm = await startVm({ machine, disk: copy, mode, dir, forwards, consoleLog, channelLog }, this.config, ctx);
    ctx.cleanup.push({ description: `stop qemu (pid ${vm.pid})`, resource: { kind: 'process', id: String(vm.pid) }, undo: () => vm.stop() });
    let exitedWith: number | null | undefined;
    void vm.exited.then((code) => {
      exitedWith = code;
    });
    ctx.progress(`booting (${mode.toUpperCase()}); waiting for multi-user.target`);
    try {
      const report = await pollUntil(
        async () => {
          const found = parseReport(await readFile(channelLog, 'utf8').catch(() => ''), nonce);
          if (found) return found;
          if (exitedWith !== undefined) return null;
          return undefined;
        },
        // The channel file is small and local: reading it ten times a second costs nothing and
        // sees the report within 0.1 s of the guest writing it (once a second cost 0.5 s per boot).
        {
          what: 'the image to reach multi-user.target',
          timeoutMs: this.config.timeoutMs,
          signal: ctx.signal,
          firstDelayMs: REPORT_POLL_MS,
          maxDelayMs: REPORT_POLL_MS,
        },
      );
      if (report === null) return [{ name: 'reached multi-user.target', ok: false, detail: `qemu stopped (exit ${exitedWith}) before the image got there` }];
      if (report.timing) ctx.log.info(bootTimes(mode, (Date.now() - vm.startedAt) / 1000, report.timing));
      const checks = reportChecks(report, this.config.units);
      for (const [index, check] of http.entries()) {
        // Without an address (no DHCP lease) nothing can answer: say so rather than wait on the port.
        checks.push(
          report.addresses.length === 0
            ? { name: `GET :${check.guestPort}${check.path} answers 2xx/3xx`, ok: false, detail: 'the guest has no IPv4 address (did DHCP run?)' }
            : await httpCheck(forwards[index]?.hostPort ?? 0, check.guestPort, check.path, ctx.signal),
        );
      }
      return checks;
    } catch (error) {
      if (!(error instanceof TimeoutError) || ctx.signal.aborted) throw error;
      return [{ name: 'reached multi-user.target', ok: false, detail: `not within ${Math.round(this.config.timeoutMs / 1000)} s` }];
    } finally {
      await vm.stop();
      await removeFileIfPresent(copy);
    }
  }
}

/**
 * Where a boot's time went: firmware and boot loader (the host's wall time from starting qemu to the
 * report, less the guest's uptime then), kernel and initrd (until PID 1 started), userspace (until
 * multi-user.target). Read from the guest's monotonic clock, which systemd also uses.
 */
export function bootTimes(mode: BootMode, wallSeconds: number, timing: NonNullable<GuestReport['timing']>): string {
  const firmware = Math.max(0, wallSeconds - timing.report);
  const s = (n: number): string => `${n.toFixed(1)} s`;
  return `boot (${mode.toUpperCase()}): firmware + boot loader ${s(firmware)}, kernel + initrd ${s(timing.userspace)}, userspace to multi-user.target ${s(timing.multiUser - timing.userspace)}; report after ${s(wallSeconds)}`;
}

/** Make room for this run's logs: keep the newest `keep` - 1 serial logs of the verifier's own; no other file is touched. */
async function pruneLogs(dir: string, keep: number): Promise<void> {
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && isConsoleLog(e.name)).map((e) => e.name);
  const dated = await Promise.all(names.map(async (name) => ({ name, at: (await stat(join(dir, name))).mtimeMs })));
  const oldFirst = dated.sort((a, b) => a.at - b.at);
  for (const { name } of oldFirst.slice(0, Math.max(0, oldFirst.length - keep + 1))) await removeFileIfPresent(join(dir, name));
}
