import { readFile } from 'node:fs/promises';
import { AminatorError, EXIT_USAGE, writeNewFile } from '@aminator/core';
import { QemuErrorCodes } from './qemu-errors.js';

/** qemu maps a PC's firmware ROM below 4 GiB in whole 64 KiB blocks. */
const ROM_BLOCK = 64 * 1024;

/**
 * One firmware image from split UEFI firmware, laid out as the flash it was built for: the variable
 * store, then the code, which ends at the top of the ROM where the CPU starts: a new private file
 * the boot then runs from.
 */
export async function writeUefiRom(firmware: { readonly code: string; readonly vars: string }, target: string): Promise<void> {
  const [vars, code] = await Promise.all([readFile(firmware.vars), readFile(firmware.code)]);
  const bytes = vars.length + code.length;
  if (bytes % ROM_BLOCK !== 0) {
    throw new AminatorError(`UEFI firmware ${firmware.vars} + ${firmware.code} is ${bytes} bytes, not a whole number of 64 KiB blocks`, {
      code: QemuErrorCodes.QEMU_FAILED,
      exitCode: EXIT_USAGE,
      suggestions: ['set verifier.qemu.ovmfCode and ovmfVars to the code and variables of one OVMF build (e.g. OVMF_CODE_4M.fd and OVMF_VARS_4M.fd)'],
    });
  }
  await writeNewFile(target, Buffer.concat([vars, code]), 0o600);
}
