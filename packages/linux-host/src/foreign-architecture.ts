import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AminatorError, EXIT_USAGE } from '@aminator/core';
import { type Architecture, hostArchitecture } from './architecture.js';
import { LinuxErrorCodes } from './errors.js';
import { HostTools } from './host-tools.js';

export const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';

/** A binfmt_misc handler as its file under /proc/sys/fs/binfmt_misc describes it. */
export interface BinfmtHandler {
  readonly name: string;
  readonly enabled: boolean;
  readonly interpreter: string;
  readonly flags: string;
  /** The ELF e_machine its magic matches, when it matches ELF programs. */
  readonly elfMachine?: number;
}

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
// e_machine is the 16-bit little-endian field at byte 18 of an ELF header.
const E_MACHINE_OFFSET = 18;

/** Every handler registered with binfmt_misc; undefined when binfmt_misc is not mounted at `dir`. */
export function binfmtHandlers(dir = BINFMT_DIR): BinfmtHandler[] | undefined {
  if (!existsSync(join(dir, 'status'))) return undefined;
  return readdirSync(dir)
    .filter((name) => name !== 'status' && name !== 'register')
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      const field = (key: string): string => new RegExp(`^${key}[: ]\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
      const magic = Buffer.from(field('magic'), 'hex');
      const isElf = magic.length >= E_MACHINE_OFFSET + 2 && magic.subarray(0, 4).equals(ELF_MAGIC);
      const elfMachine = isElf ? magic.readUInt16LE(E_MACHINE_OFFSET) : undefined;
      return { name, enabled: /^enabled$/m.test(text), interpreter: field('interpreter'), flags: field('flags'), elfMachine };
    });
}

/**
 * Refuse (exit 2, before any work) to bake an image for another architecture than the host's unless
 * the kernel can run its programs: binfmt_misc mounted, an enabled handler for that architecture's ELF
 * programs, registered with the F flag — the kernel then holds the emulator open, so it works inside
 * the chroot with nothing copied into the image. Returns the handler, or undefined for the host's own.
 */
export function requireEmulation(target: Architecture, options: { dir?: string; host?: Architecture; subject?: string } = {}): BinfmtHandler | undefined {
  const host = options.host ?? hostArchitecture();
  if (host?.machine === target.machine) return undefined;
  const dir = options.dir ?? BINFMT_DIR;
  const fail = (why: string, suggestions: string[]): never => {
    throw new AminatorError(`${options.subject ?? 'the base image'} is ${target.machine} and this host ${host?.machine ?? process.arch}: ${why}`, {
      code: LinuxErrorCodes.FOREIGN_ARCH,
      exitCode: EXIT_USAGE,
      suggestions,
    });
  };
  const install = `apt-get install ${HostTools.qemuUserAarch64.debianPackage} (it registers qemu-${target.qemu} with binfmt_misc, flags F)`;
  const handlers = binfmtHandlers(dir);
  if (!handlers)
    return fail(`binfmt_misc is not mounted at ${dir}, so the kernel cannot hand its programs to an emulator`, [
      `mount -t binfmt_misc binfmt_misc ${dir}`,
      install,
    ]);
  const handler = handlers.find((h) => h.elfMachine === target.elfMachine);
  if (!handler)
    return fail(`no binfmt_misc handler runs ${target.machine} programs`, [
      install,
      `binfmt_misc mounted after the install: register it again with /usr/lib/systemd/systemd-binfmt /usr/lib/binfmt.d/qemu-${target.qemu}.conf (what systemd-binfmt.service runs at boot)`,
    ]);
  if (!handler.enabled) return fail(`the binfmt_misc handler ${handler.name} is disabled`, [`echo 1 > ${join(dir, handler.name)}`]);
  if (!handler.flags.includes('F'))
    return fail(`the binfmt_misc handler ${handler.name} lacks the F flag: its emulator ${handler.interpreter} would have to exist inside the image`, [
      `remove it (echo -1 > ${join(dir, handler.name)}) and register it with flags F: qemu-user-static's own registration has them`,
    ]);
  return handler;
}
