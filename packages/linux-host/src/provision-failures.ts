import { AminatorError } from '@aminator/core';

/** One way a provisioning step fails: its stable code, whether a later try may pass, what it means and what to do. */
export interface ProvisionFailure {
  readonly code: string;
  /** A later try of the same bake may pass (exit 75, `retryable: true`); else a person must change something. */
  readonly retryable: boolean;
  readonly means: string;
  readonly todo: string;
}

/**
 * Every way an install fails that a pipeline can act on, for apt and dnf/yum alike, recognised from
 * the package manager's own output (InstallDiagnostics): listed once, here. The README of
 * @aminator/linux-host prints this table.
 */
export const ProvisionFailures = {
  packageNotFound: {
    code: 'E_PACKAGE_NOT_FOUND',
    retryable: false,
    means: "the image's repositories have no package of that name",
    todo: 'check the name (apt-cache policy NAME or dnf list NAME in the image), or bake on a base image whose repositories have it',
  },
  versionNotFound: {
    code: 'E_VERSION_NOT_FOUND',
    retryable: false,
    means: 'the package exists, but not in the version asked for',
    todo: 'pin a version the repositories have (apt-cache policy NAME, dnf list --showduplicates NAME), or drop the pin',
  },
  repositoryUnreachable: {
    code: 'E_REPOSITORY_UNREACHABLE',
    retryable: true,
    means: "the image's package repositories could not be reached (name resolution, a refused or timed-out connection)",
    todo: "retry; if it persists, check that this host reaches the mirror the image names (the chroot uses the host's resolv.conf)",
  },
  dependencyProblem: {
    code: 'E_DEPENDENCY_PROBLEM',
    retryable: false,
    means: "a dependency cannot be satisfied from the image's repositories (missing, held or conflicting)",
    todo: 'pin a version that fits the base image (name=version), or bake on a base image of the release the package was built for',
  },
  signatureInvalid: {
    code: 'E_SIGNATURE_INVALID',
    retryable: false,
    means: 'a repository or package is unsigned, or signed with a key the image does not trust',
    todo: "put the repository's key in the base image (apt: a Signed-By keyring; dnf: gpgkey=), or have the repository signed",
  },
  maintainerScriptFailed: {
    code: 'E_MAINTAINER_SCRIPT_FAILED',
    retryable: false,
    means: "a package's maintainer script (postinst, %post, …) failed in the image",
    todo: "read the script's output above (or the run log); fix the package, or what in the base image it expects",
  },
  packageManagerLocked: {
    code: 'E_PACKAGE_MANAGER_LOCKED',
    retryable: true,
    means: "another process held the package manager's lock in the image",
    todo: 'retry once the other package manager run ends (a timer in the image, a second tool on the same chroot)',
  },
  volumeFull: {
    code: 'E_VOLUME_FULL',
    retryable: false,
    means: "the image's root file system filled up during the install",
    todo: 'bake again with a bigger --volume-size (the file system is grown to fill it), or install less',
  },
} as const satisfies Record<string, ProvisionFailure>;

export type ProvisionFailureKind = keyof typeof ProvisionFailures;

/** A provisioning failure of one of the kinds above: its code, its retryability, the lines that show it and what to do. */
export class ProvisionFailedError extends AminatorError {
  readonly kind: ProvisionFailureKind;

  constructor(kind: ProvisionFailureKind, message: string, options: { cause?: unknown; suggestions?: readonly string[] } = {}) {
    const failure: ProvisionFailure = ProvisionFailures[kind];
    super(message, { code: failure.code, retryable: failure.retryable, cause: options.cause, suggestions: [...(options.suggestions ?? []), failure.todo] });
    this.kind = kind;
  }
}
