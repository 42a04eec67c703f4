import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from './sh.js';

export interface DebootstrapOptions {
  readonly suite: string;
  readonly mirror: string;
  /** A Debian architecture other than the host's (`arm64`): debootstrap's second stage then runs through binfmt_misc. */
  readonly arch?: string;
  /** Where tarballs are kept between test files and runs (default /var/tmp/aminator-test-cache). */
  readonly cacheDir?: string;
}

const WAIT_STEP_MS = 500;
const WAIT_LIMIT_MS = 15 * 60 * 1000;

function cacheDirOf(cacheDir?: string): string {
  const dir = cacheDir ?? process.env.AMINATOR_TEST_CACHE ?? '/var/tmp/aminator-test-cache';
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * A tarball of a root file system made once by `build(dir)` and reused: the first test file that
 * needs it builds it under an exclusive lock, the others wait for it; a builder that was killed is
 * noticed by its pid.
 */
export function cachedRootfsTarball(key: string, build: (dir: string) => void, cacheDir?: string): string {
  const dir = cacheDirOf(cacheDir);
  const tarball = join(dir, `${key.replace(/[^a-z0-9.+-]/gi, '_')}.tar`);
  if (existsSync(tarball)) return tarball;
  const lock = `${tarball}.lock`;
  let fd: number;
  try {
    fd = openSync(lock, 'wx');
    writeSync(fd, String(process.pid));
  } catch {
    if (!builderAlive(lock)) {
      rmSync(lock, { force: true });
      return cachedRootfsTarball(key, build, cacheDir);
    }
    return waitFor(tarball, lock);
  }
  const work = `${tarball}.${process.pid}.d`;
  try {
    mkdirSync(work);
    build(work);
    sh('tar', ['-cf', `${tarball}.part`, '-C', work, '--numeric-owner', '.']);
    renameSync(`${tarball}.part`, tarball);
  } finally {
    rmSync(work, { recursive: true, force: true });
    closeSync(fd);
    unlinkSync(lock);
  }
  return tarball;
}

/** A `debootstrap --variant=minbase` root of `suite` from `mirror` (for `arch` when given), cached as a tarball. */
export function debootstrapTarball(options: DebootstrapOptions): string {
  const arch = options.arch ? [`--arch=${options.arch}`] : [];
  return cachedRootfsTarball(
    options.arch ? `${options.suite}-${options.arch}-minbase` : `${options.suite}-minbase`,
    (dir) => {
      sh('debootstrap', ['--variant=minbase', ...arch, options.suite, dir, options.mirror]);
    },
    options.cacheDir,
  );
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

/** The debootstrap test root with Debian's dnf and rpm installed: a chroot that has dnf, for the yum tests. */
export function debootstrapDnfTarball(options: DebootstrapOptions): string {
  const debian = debootstrapTarball(options);
  return cachedRootfsTarball(
    `${options.suite}-minbase-dnf`,
    (dir) => {
      extractRootfs(debian, dir);
      cpSync('/etc/resolv.conf', join(dir, 'etc/resolv.conf'));
      const env = ['/usr/bin/env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'DEBIAN_FRONTEND=noninteractive'];
      sh('chroot', [dir, ...env, 'apt-get', '-q', 'update']);
      sh('chroot', [dir, ...env, 'apt-get', '-y', '-q', '--no-install-recommends', 'install', 'dnf', 'rpm']);
      sh('chroot', [dir, 'apt-get', 'clean']);
    },
    options.cacheDir,
  );
}
