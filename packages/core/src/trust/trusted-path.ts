import { readFileSync, realpathSync, type Stats, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AminatorError } from '../errors/aminator-error.js';
import { ErrorCodes } from '../errors/error-codes.js';
import { EXIT_USAGE } from '../errors/exit-codes.js';

/** Why one path on the way to a file makes it untrusted. */
export interface TrustProblem {
  /** The file that was to be read or imported. */
  readonly file: string;
  /** The path (the file or one of its parent directories) that breaks the rule. */
  readonly path: string;
  readonly uid: number;
  readonly mode: number;
  readonly reason: string;
}

/**
 * The owners whose files aminate (running as root) may read config from or import code from: root,
 * the user it runs as, and the user who ran it through sudo. Anyone else could make root run code.
 */
export function trustedOwners(env: NodeJS.ProcessEnv = process.env): number[] {
  const owners = new Set<number>([0]);
  const uid = process.getuid?.();
  if (uid !== undefined) owners.add(uid);
  const sudoUid = Number(env.SUDO_UID);
  if (uid === 0 && Number.isInteger(sudoUid) && sudoUid > 0) owners.add(sudoUid);
  return [...owners];
}

const STICKY = 0o1000;
const WRITABLE_BY_OTHERS = 0o022;

/**
 * The one trust rule for code and config (sshd's StrictModes, sudo's): a file is trusted when it and
 * every directory above it are owned by a trusted owner and writable by nobody else. A sticky
 * directory such as /tmp may be writable by all, because there nobody can replace an entry they do
 * not own. Both the path as given (its parent directories, which hold any symlink) and its real path
 * are checked. One instance per command: answers are cached by path.
 */
export class PathTrust {
  private readonly owners: ReadonlySet<number>;
  private readonly checked = new Map<string, Omit<TrustProblem, 'file'> | null>();

  constructor(owners: readonly number[] = trustedOwners()) {
    this.owners = new Set(owners);
  }

  /**
   * Why `file` is not trusted, or undefined when it is. A missing file throws ENOENT. `asParent`: it
   * is a directory to make entries in, where a sticky one open to all (/tmp) is fine.
   */
  problem(file: string, asParent = false): TrustProblem | undefined {
    const given = resolve(file);
    const real = realpathSync(given);
    const found = this.chain(realpathSync(dirname(given)), true) ?? this.chain(real, asParent);
    return found ? { file: given, ...found } : undefined;
  }

  /** Throws E_UNTRUSTED_PATH (exit 2) when `file` is not trusted; `what` says what it was for. */
  assert(file: string, what: string, asParent = false): void {
    const problem = this.problem(file, asParent);
    if (problem) throw new UntrustedPathError(what, problem);
  }

  /** The first problem from `/` down to `path`; `allDirs` when `path` is itself a parent directory. */
  private chain(path: string, allDirs: boolean): Omit<TrustProblem, 'file'> | undefined {
    const parts: string[] = [];
    for (let p = path; ; p = dirname(p)) {
      parts.unshift(p);
      if (dirname(p) === p) break;
    }
    for (const [index, p] of parts.entries()) {
      const isParent = allDirs || index < parts.length - 1;
      const key = `${isParent ? 'd' : 'f'}:${p}`;
      let answer = this.checked.get(key);
      if (answer === undefined) {
        answer = this.judge(p, statSync(p), isParent) ?? null;
        this.checked.set(key, answer);
      }
      if (answer) return answer;
    }
    return undefined;
  }

  private judge(path: string, info: Stats, isParent: boolean): Omit<TrustProblem, 'file'> | undefined {
    const mode = info.mode & 0o7777;
    if (!this.owners.has(info.uid)) return { path, uid: info.uid, mode, reason: 'is owned by a user aminate does not trust' };
    if ((mode & WRITABLE_BY_OTHERS) === 0) return undefined;
    if (isParent && info.isDirectory() && (mode & STICKY) !== 0) return undefined;
    return { path, uid: info.uid, mode, reason: 'is writable by other users (group or world)' };
  }
}

/** Code or config that aminate refuses to read or import. */
export class UntrustedPathError extends AminatorError {
  readonly problem: TrustProblem;

  constructor(what: string, problem: TrustProblem) {
    const owner = `${userName(problem.uid)} (uid ${problem.uid})`;
    const mode = `0${problem.mode.toString(8).padStart(3, '0')}`;
    const at = problem.path === problem.file ? '' : `: ${problem.path}`;
    super(`refusing ${what} ${problem.file}${at} ${problem.reason} — owner ${owner}, mode ${mode}; nothing was read or imported`, {
      code: ErrorCodes.UNTRUSTED_PATH,
      exitCode: EXIT_USAGE,
      suggestions: [
        `if you trust it: chown root ${problem.path} && chmod go-w ${problem.path}`,
        'else move the project (config, plugins) to a directory only root or you can write, and run aminate there',
      ],
    });
    this.problem = problem;
  }
}

function userName(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && Number(id) === uid) return name;
    }
  } catch {
    // no passwd file: the uid alone says it
  }
  return 'unknown user';
}
