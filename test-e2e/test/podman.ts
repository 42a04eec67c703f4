import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hostDebianMirror, hostDebianSuite } from '@aminator/linux-host';
import { debootstrapTarball } from '@aminator/testkit/linux';
import { type ProcessResult, runProcess } from './run-process.js';

/**
 * What podman 4.3 from Debian needs on these machines to run rootful: runc (crun fails on this
 * cgroup setup) and lower limits than its defaults (EPERM otherwise). Every podman call here has them.
 */
export const PODMAN_RUNTIME = ['--runtime', 'runc', '--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];

export type PodmanResult = ProcessResult;

export function podman(args: readonly string[], options: { timeoutMs?: number } = {}): PodmanResult {
  const result = spawnSync('podman', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: options.timeoutMs ?? 20 * 60_000 });
  return { code: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
}

/**
 * podman without blocking this process: what a container does may need this process to answer (the EC2
 * test endpoint runs in it), which a spawnSync would starve.
 */
export function podmanAsync(args: readonly string[]): Promise<PodmanResult> {
  return runProcess('podman', args);
}

export function podmanOk(args: readonly string[], options: { timeoutMs?: number } = {}): string {
  const result = podman(args, options);
  assert.equal(result.code, 0, `podman ${args.join(' ')}:\n${result.stderr.slice(-4000)}`);
  return result.stdout;
}

export function hasPodman(): boolean {
  return spawnSync('podman', ['--version']).status === 0 && spawnSync('runc', ['--version']).status === 0;
}

/**
 * Debian with this host's Node.js and npm, standing in for the Node.js project's image (no container
 * registry is reachable here): the cached debootstrap tree imported with `podman import`, the Node
 * binary and npm copied in. Tagged by what it is made of, so later runs reuse it.
 */
export function nodeBaseImage(): string {
  const suite = hostDebianSuite() ?? 'bookworm';
  const tarball = debootstrapTarball({ suite, mirror: hostDebianMirror() ?? assert.fail('no Debian mirror in the host apt sources') });
  const npmDir = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  const stamp = [statSync(tarball).mtimeMs, statSync(process.execPath).mtimeMs, process.version]
    .join('-')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();
  const tag = `localhost/aminator-e2e-node:${suite}-${stamp}`.slice(0, 120);
  if (podman(['image', 'exists', tag]).code === 0) return tag;
  const debian = `localhost/aminator-e2e-debian:${suite}-${stamp}`.slice(0, 120);
  podmanOk(['import', tarball, debian]);
  const context = mkdtempSync(join(tmpdir(), 'aminator-e2e-node-image-'));
  try {
    copyFileSync(process.execPath, join(context, 'node'));
    cpSync(npmDir, join(context, 'npm'), { recursive: true });
    writeFileSync(
      join(context, 'Containerfile'),
      [
        `FROM ${debian}`,
        'COPY node /usr/local/bin/node',
        'COPY npm /usr/local/lib/node_modules/npm',
        'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version',
        '',
      ].join('\n'),
    );
    podmanOk(['build', ...PODMAN_RUNTIME, '--tag', tag, context]);
  } finally {
    rmSync(context, { recursive: true, force: true });
    podman(['untag', debian]);
  }
  return tag;
}
