/** Stable codes of @aminator/verifier-qemu (besides core's E_VERIFY_FAILED for an image that fails its checks). */
export const QemuErrorCodes = {
  QEMU_FAILED: 'E_QEMU_FAILED',
  NOT_BOOTABLE: 'E_NOT_BOOTABLE',
  BOOT_TIMEOUT: 'E_BOOT_TIMEOUT',
} as const;
