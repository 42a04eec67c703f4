import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from './sh.js';

export interface DebootstrapOptions {
  readonly suite: string;
  readonly mirror: string;
  /** Extra packages (`--include`). */
  readonly include?: readonly string[];
  /** Where tarballs are kept between test files and runs (default /var/tmp/aminator-test-cache). */
  readonly cacheDir?: string;
}

const WAIT_STEP_MS = 500;
const WAIT_LIMIT_MS = 15 * 60 * 1000;

/**
 * A tarball of a `debootstrap --variant=minbase` root, made once and reused: the first test file that
 * needs it builds it under an exclusive lock, the others wait for it.
 */
export function debootstrapTarball(options: DebootstrapOptions): string {
  const cacheDir = options.cacheDir ?? process.env.AMINATOR_TEST_CACHE ?? '/var/tmp/aminator-test-cache';
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const key = [options.suite, 'minbase', ...(options.include ?? [])].join('-').replace(/[^a-z0-9.+-]/gi, '_');
  const tarball = join(cacheDir, `${key}.tar`);
  if (existsSync(tarball)) return tarball;
  const lock = `${tarball}.lock`;
  let fd: number;
  try {
    fd = openSync(lock, 'wx');
    writeSync(fd, String(process.pid));
  } catch {
    if (!builderAlive(lock)) { rmSync(lock, { force: true }); return debootstrapTarball(options); }
    return waitFor(tarball, lock);
  }
  const work = join(cacheDir, `${key}.${process.pid}.tmp`);
  try {
    const include = options.include?.length ? [`--include=${options.include.join(',')}`] : [];
    sh('debootstrap', ['--variant=minbase', ...include, options.suite, work, options.mirror]);
    sh('tar', ['-cf', `${tarball}.part`, '-C', work, '--numeric-owner', '.']);
    renameSync(`${tarball}.part`, tarball);
  } finally {
    rmSync(work, { recursive: true, force: true });
    closeSync(fd);
    unlinkSync(lock);
  }
  return tarball;
}

/** A builder that was killed leaves its lock; its pid tells. */
function builderAlive(lock: string): boolean {
  try {
    process.kill(Number(readFileSync(lock, 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

function waitFor(tarball: string, lock: string): string {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!existsSync(tarball)) {
    if (!existsSync(lock)) throw new Error(`another process gave up building ${tarball}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${tarball}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, WAIT_STEP_MS);
  }
  return tarball;
}

/** Unpack a root file system tarball into `dir` (which must exist). */
export function extractRootfs(tarball: string, dir: string): void {
  sh('tar', ['-xf', tarball, '-C', dir, '--numeric-owner']);
}
