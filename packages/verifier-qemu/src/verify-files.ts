/**
 * The files a verification makes in `<workDir>/verify/`, named once: the verifier, qemu's arguments
 * and `aminate cleanup` (for a killed run) all use these.
 */
export const VERIFY_DIR = 'verify';
export const BOOT_COPY = 'boot-copy.raw';
export const BOOT_COPY_ROOT = 'boot-copy-root';
export const PID_FILE = 'qemu.pid';
/** The private copy of the UEFI variable store a UEFI boot writes to (pflash firmware). */
export const OVMF_VARS = 'OVMF_VARS.fd';
/** The private firmware image a UEFI boot runs from as ROM: the variable store, then the code. */
export const UEFI_ROM = 'uefi-rom.fd';

export function channelLogName(nonce: string): string {
  return `channel-${nonce}.log`;
}

/** Every file name above (and each boot's channel log): what cleanup may remove from a dead run's directory. */
export function isVerifyFile(name: string): boolean {
  return [BOOT_COPY, PID_FILE, OVMF_VARS, UEFI_ROM].includes(name) || /^channel-[0-9a-f]+\.log$/.test(name);
}

/** The serial log a boot keeps in the log directory: `<runId>-<mode>.log`. */
export function consoleLogName(runId: string, mode: string): string {
  return `${runId}-${mode}.log`;
}

/** Whether a file in the log directory is a console log the verifier made: the only ones it prunes. */
export function isConsoleLog(name: string): boolean {
  return /^[0-9a-f]{12}-(bios|uefi)\.log$/.test(name);
}
