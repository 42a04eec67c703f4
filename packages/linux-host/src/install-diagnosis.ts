import { statfs } from 'node:fs/promises';
import { type AminatorError, CommandFailedError } from '@aminator/core';
import { ProvisionFailedError } from './provision-failures.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/**
 * How a package manager says each failure of ProvisionFailures in its own output. Every pattern is
 * matched line by line against what it printed (stdout and stderr), never against a single word.
 */
export interface InstallDiagnostics {
  /** Its repositories could not be reached (name resolution, a refused or timed-out connection). */
  readonly unreachable: RegExp;
  /** A dependency cannot be satisfied (held, broken, conflicting). */
  readonly unsatisfiable: RegExp;
  /** No package of that name. */
  readonly notFound: RegExp;
  /** The package, but not that version (apt says so; dnf does not — see PackageManager.refineNotFound). */
  readonly versionNotFound: RegExp;
  /** An unsigned repository or package, or one signed with a key the image does not trust. */
  readonly signature: RegExp;
  /** Another process holds the package manager's lock. */
  readonly locked: RegExp;
  /** The package whose maintainer script or scriptlet failed, from one line that says so. */
  scriptFailed(line: string): string | undefined;
  /** The bytes the install said it would add, from one line of its output (apt: "After this operation, …"). */
  neededBytes(line: string): number | undefined;
}

export interface DiskSpace {
  /** Free to root (reserved blocks included: the install runs as root). */
  readonly freeBytes: number;
  readonly totalBytes: number;
  readonly freeInodes: number;
}

export async function diskSpace(path: string): Promise<DiskSpace> {
  const s = await statfs(path);
  return { freeBytes: s.bfree * s.bsize, totalBytes: s.blocks * s.bsize, freeInodes: s.ffree };
}

/** Full as a package manager meets it: under 1% (at least 8 MiB) of blocks, or no inode, left. */
export function looksFull(space: DiskSpace): boolean {
  return space.freeInodes === 0 || space.freeBytes < Math.max(space.totalBytes / 100, 8 * MiB);
}

/**
 * Watches a package manager's output while it runs, so that a failure can be explained: the last
 * lines (stdout too — apt says "No space left on device" and how much it needed there), the size the
 * install announced, and a maintainer script that failed (dnf reports a failed %post and still exits 0).
 */
export class InstallWatch {
  private readonly lines: string[] = [];
  neededBytes: number | undefined;
  /** The package whose maintainer script failed, if the output said so. */
  scriptFailedIn: string | undefined;

  constructor(private readonly diagnostics: InstallDiagnostics) {}

  readonly onLine = (line: string): void => {
    this.lines.push(line);
    if (this.lines.length > 200) this.lines.shift();
    this.neededBytes = this.diagnostics.neededBytes(line) ?? this.neededBytes;
    this.scriptFailedIn ??= this.diagnostics.scriptFailed(line);
  };

  /** Whether what was printed so far says the repositories could not be reached. */
  unreachable(): boolean {
    return this.lines.some((l) => this.diagnostics.unreachable.test(l));
  }

  text(error?: unknown): string {
    const tail = error instanceof CommandFailedError ? error.failure.stderrTail : '';
    return `${this.lines.join('\n')}\n${tail}`;
  }
}

/** What the install was of, and how to tell a missing version from a missing name where the output does not. */
export interface FailureContext {
  /** What was passed to the package manager: `nginx`, `nginx=1.22.1-9`, a staged file. */
  readonly target: string;
  /** For a "no match": true when the name exists and only the version is missing. */
  readonly nameExists?: () => Promise<boolean>;
}

/**
 * The real cause of a failed install, as one of ProvisionFailures, when the output shows it — in this
 * order, since one cause brings others along (an unreachable mirror leaves "Unable to locate package"
 * behind it): the volume is full (checked on the file system itself too), the repositories are
 * unreachable, the lock is held, a signature is bad, the version or the package is missing, a
 * maintainer script failed, a dependency cannot be satisfied. Anything else is returned unchanged.
 */
export async function explainInstallFailure(
  error: unknown,
  root: string,
  before: DiskSpace,
  watch: InstallWatch,
  diagnostics: InstallDiagnostics,
  context: FailureContext = { target: '' },
): Promise<unknown> {
  if (!(error instanceof CommandFailedError) || error.failure.aborted || error.failure.timedOut) return error;
  const text = watch.text(error);
  const after = await diskSpace(root).catch(() => undefined);
  const filled = after !== undefined && looksFull(after) && after.freeBytes < before.freeBytes;
  if (/No space left on device|Disk quota exceeded|not enough free space|needs .* more space on the/i.test(text) || filled) {
    return new VolumeFullError(before, after, watch.neededBytes, error);
  }
  const lines = (pattern: RegExp): string => quote(text, pattern);
  if (diagnostics.unreachable.test(text)) return unreachableError(text, diagnostics, error);
  if (diagnostics.locked.test(text)) {
    return new ProvisionFailedError('packageManagerLocked', `another process holds the package manager's lock in the image:\n${lines(diagnostics.locked)}`, {
      cause: error,
    });
  }
  if (diagnostics.signature.test(text)) {
    return new ProvisionFailedError('signatureInvalid', `a signature check failed:\n${lines(diagnostics.signature)}`, { cause: error });
  }
  const versionMissing = diagnostics.versionNotFound.test(text);
  if (versionMissing || diagnostics.notFound.test(text)) {
    const kind = versionMissing || (context.nameExists && (await context.nameExists().catch(() => false))) ? 'versionNotFound' : 'packageNotFound';
    const what = kind === 'versionNotFound' ? 'not in the version asked for' : 'no package';
    return new ProvisionFailedError(
      kind,
      `the image's repositories have ${what} "${context.target}":\n${lines(versionMissing ? diagnostics.versionNotFound : diagnostics.notFound)}`,
      {
        cause: error,
      },
    );
  }
  if (watch.scriptFailedIn) return scriptFailedError(watch.scriptFailedIn, text, diagnostics, error);
  if (diagnostics.unsatisfiable.test(text)) {
    return new ProvisionFailedError(
      'dependencyProblem',
      `a dependency cannot be satisfied from the image's repositories:\n${lines(diagnostics.unsatisfiable)}`,
      {
        cause: error,
        suggestions: ['a package the image holds, or one its repositories lack in the needed version, is in the way: check the lines above'],
      },
    );
  }
  return error;
}

/** A maintainer script or scriptlet that failed, naming the package (also when the package manager exited 0). */
export function scriptFailedError(pkg: string, text: string, diagnostics: InstallDiagnostics, cause?: unknown): ProvisionFailedError {
  const shown = text
    .split('\n')
    .filter((l) => diagnostics.scriptFailed(l) !== undefined)
    .slice(0, 6)
    .map((l) => `    ${l.trim()}`)
    .join('\n');
  return new ProvisionFailedError('maintainerScriptFailed', `the maintainer script of ${pkg} failed in the image:\n${shown}`, { cause });
}

export function unreachableError(text: string, diagnostics: InstallDiagnostics, cause?: unknown): AminatorError {
  return new ProvisionFailedError(
    'repositoryUnreachable',
    `the image's package repositories could not be reached from the chroot:\n${quote(text, diagnostics.unreachable)}`,
    {
      cause,
      suggestions: [
        "the chroot resolves names with the host's /etc/resolv.conf: check that this host reaches the mirror the image names (its apt sources or yum repos)",
        "a mirror only reachable through a proxy: set it in the image's package manager config, or bake on a base image that names a reachable mirror",
      ],
    },
  );
}

/** The full volume, with how much it had and how big a volume to ask for. */
export class VolumeFullError extends ProvisionFailedError {
  constructor(before: DiskSpace, after: DiskSpace | undefined, neededBytes: number | undefined, cause: unknown) {
    const had = `${size(before.freeBytes)} of ${size(before.totalBytes)} were free before the install`;
    const inodes = after?.freeInodes === 0 ? ' (no inode is left)' : '';
    const wanted = neededBytes ? `; the package manager said it needed ${size(neededBytes)}` : '';
    const grow = neededBytes ? Math.max(neededBytes * 1.25, neededBytes + 256 * MiB) - before.freeBytes : before.totalBytes;
    const suggested = Math.ceil((before.totalBytes + Math.max(grow, 512 * MiB)) / GiB);
    super('volumeFull', `the image's root file system is full${inodes}: ${had}${wanted}`, {
      cause,
      suggestions: [
        `bake again on a bigger working volume: --volume-size ${suggested}G on the local cloud, --volume-size ${suggested} (GiB) on EC2; the file system is grown to fill it`,
        'or install less: --no-install-recommends is the apt default; drop optional packages',
      ],
    });
  }
}

function size(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${Math.round(bytes / MiB)} MiB`;
}

/** The lines that show the cause, at most six. */
function quote(text: string, pattern: RegExp): string {
  const lines = text
    .split('\n')
    .filter((l) => pattern.test(l))
    .slice(0, 6);
  return lines.map((l) => `    ${l.trim()}`).join('\n');
}
