import { AminatorError, ErrorCodes } from '@aminator/core';
import { ProvisionFailures } from './provision-failures.js';

/** Stable codes of the Linux host helpers (and the plugins built on them). */
export const LinuxErrorCodes = {
  UNSAFE_PATH: ErrorCodes.UNSAFE_PATH,
  NOT_ROOT: 'E_NOT_ROOT',
  TOOL_MISSING: 'E_TOOL_MISSING',
  MOUNT_BUSY: 'E_MOUNT_BUSY',
  MOUNT_TAKEN: 'E_MOUNT_TAKEN',
  NO_ROOT_PARTITION: 'E_NO_ROOT_PARTITION',
  UNSUPPORTED_FS: 'E_UNSUPPORTED_FS',
  OS_MISMATCH: 'E_OS_MISMATCH',
  POSTINSTALL_FAILED: 'E_POSTINSTALL_FAILED',
  DOWNLOAD_FAILED: 'E_DOWNLOAD_FAILED',
  KEYRING_MISSING: 'E_KEYRING_MISSING',
  BOOT_LOADER: 'E_BOOT_LOADER',
  FOREIGN_ARCH: 'E_FOREIGN_ARCH',
  ARCH_MISMATCH: 'E_ARCH_MISMATCH',
  PACKAGE_DATABASE: 'E_PACKAGE_DATABASE',
  VOLUME_FULL: ProvisionFailures.volumeFull.code,
  REPOSITORY_UNREACHABLE: ProvisionFailures.repositoryUnreachable.code,
  DEPENDENCY_PROBLEM: ProvisionFailures.dependencyProblem.code,
} as const;

/** A path inside an image that leads out of it (a symlink, `..`), refused before anything is written. */
export class UnsafePathError extends AminatorError {
  constructor(path: string, why: string) {
    super(`refusing ${path}: ${why}`, {
      code: LinuxErrorCodes.UNSAFE_PATH,
      suggestions: ['the image may be damaged or hostile; inspect it before baking on it'],
    });
  }
}
