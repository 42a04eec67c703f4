import { statfs } from 'node:fs/promises';
import { AminatorError, CommandFailedError } from '@aminator/core';
import { LinuxErrorCodes } from './errors.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** How a package manager says the causes a user cannot see from the last lines of its output. */
export interface InstallDiagnostics {
  /** Its repositories could not be reached (name resolution, a refused or timed-out connection). */
  readonly unreachable: RegExp;
  /** A dependency cannot be satisfied (held, broken, conflicting). */
  readonly unsatisfiable: RegExp;
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
 * lines (stdout too — apt says "No space left on device" and how much it needed there) and the size
 * the install announced.
 */
export class InstallWatch {
  private readonly lines: string[] = [];
  neededBytes: number | undefined;

  constructor(private readonly diagnostics: InstallDiagnostics) {}

  readonly onLine = (line: string): void => {
    this.lines.push(line);
    if (this.lines.length > 200) this.lines.shift();
    this.neededBytes = this.diagnostics.neededBytes(line) ?? this.neededBytes;
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

/**
 * The real cause of a failed install, when it is one of those the last lines hide: the volume is
 * full (checked on the file system itself, not only in the output), the repositories are
 * unreachable, a dependency cannot be satisfied. Anything else is returned unchanged.
 */
export async function explainInstallFailure(
  error: unknown,
  root: string,
  before: DiskSpace,
  watch: InstallWatch,
  diagnostics: InstallDiagnostics,
): Promise<unknown> {
  if (error instanceof CommandFailedError && (error.failure.aborted || error.failure.timedOut)) return error;
  if (!(error instanceof CommandFailedError)) return error;
  const text = watch.text(error);
  const after = await diskSpace(root).catch(() => undefined);
  const filled = after !== undefined && looksFull(after) && after.freeBytes < before.freeBytes;
  if (/No space left on device|Disk quota exceeded|not enough free space|needs .* more space on the/i.test(text) || filled) {
    return new VolumeFullError(before, after, watch.neededBytes, error);
  }
  if (diagnostics.unreachable.test(text)) return unreachableError(text, diagnostics, error);
  if (diagnostics.unsatisfiable.test(text)) {
    return new AminatorError(`a dependency cannot be satisfied from the image's repositories:\n${quote(text, diagnostics.unsatisfiable)}`, {
      code: LinuxErrorCodes.DEPENDENCY_PROBLEM,
      cause: error,
      suggestions: [
        'a package the image holds, or one its repositories lack in the needed version, is in the way: check the lines above',
        'pin a version that fits the base image (name=version), or bake on a base image of the release the package was built for',
      ],
    });
  }
  return error;
}

export function unreachableError(text: string, diagnostics: InstallDiagnostics, cause?: unknown): AminatorError {
  return new AminatorError(`the image's package repositories could not be reached from the chroot:\n${quote(text, diagnostics.unreachable)}`, {
    code: LinuxErrorCodes.REPOSITORY_UNREACHABLE,
    cause,
    suggestions: [
      "the chroot resolves names with the host's /etc/resolv.conf: check that this host reaches the mirror the image names (its apt sources or yum repos)",
      "a mirror only reachable through a proxy: set it in the image's package manager config, or bake on a base image that names a reachable mirror",
    ],
  });
}

/** The full volume, with how much it had and how big a volume to ask for. */
export class VolumeFullError extends AminatorError {
  constructor(before: DiskSpace, after: DiskSpace | undefined, neededBytes: number | undefined, cause: unknown) {
    const had = `${size(before.freeBytes)} of ${size(before.totalBytes)} were free before the install`;
    const inodes = after?.freeInodes === 0 ? ' (no inode is left)' : '';
    const wanted = neededBytes ? `; the package manager said it needed ${size(neededBytes)}` : '';
    const grow = neededBytes ? Math.max(neededBytes * 1.25, neededBytes + 256 * MiB) - before.freeBytes : before.totalBytes;
    const suggested = Math.ceil((before.totalBytes + Math.max(grow, 512 * MiB)) / GiB);
    super(`the image's root file system is full${inodes}: ${had}${wanted}`, {
      code: LinuxErrorCodes.VOLUME_FULL,
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
