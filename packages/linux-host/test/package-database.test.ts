import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { imageDistribution, readDpkgInventory } from '../src/package-database.js';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A root with a dpkg status file (and os-release as Debian links it: /etc → /usr/lib). */
function root(status: string | undefined, options: { osRelease?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'aminator-dpkgdb-'));
  roots.push(dir);
  mkdirSync(join(dir, 'var/lib/dpkg'), { recursive: true });
  mkdirSync(join(dir, 'usr/lib'), { recursive: true });
  mkdirSync(join(dir, 'etc'), { recursive: true });
  if (status !== undefined) writeFileSync(join(dir, 'var/lib/dpkg/status'), status);
  writeFileSync(join(dir, 'usr/lib/os-release'), options.osRelease ?? 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n');
  symlinkSync('../usr/lib/os-release', join(dir, 'etc/os-release'));
  return dir;
}

const STATUS = `Package: libssl3
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.15-1~deb12u1
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation.
 .
 A continuation line: Package: evil

Package: login
Status: install ok installed
Architecture: amd64
Source: shadow (1:4.13+dfsg1-1)
Version: 1:4.13+dfsg1-1+b1

Package: removed-one
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: half
Status: install reinstreq half-installed
Architecture: all
Version: 2.0

Package: Evil\u001b]0;pwned\u0007
Status: install ok installed
Architecture: amd64
Version: 1.0

Package: long
Status: install ok installed
Architecture: amd64
Version: ${'9'.repeat(100_000)}
`;

describe('the image package database, read on the host side', () => {
  it('lists what dpkg has on disk, as dpkg-query reads the same file; bad records are counted, not listed', () => {
    const dir = root(STATUS);
    const inventory = readDpkgInventory(dir);
    assert.equal(inventory.type, 'deb');
    assert.deepEqual(inventory.distribution, { id: 'debian', versionId: '12' }, "os-release from /usr/lib when /etc's is a link");
    assert.deepEqual(
      inventory.packages.map((p) => `${p.name} ${p.version} ${p.arch} ${p.source} ${p.sourceVersion}`),
      ['half 2.0 all half 2.0', 'libssl3 3.0.15-1~deb12u1 amd64 openssl 3.0.15-1~deb12u1', 'login 1:4.13+dfsg1-1+b1 amd64 shadow 1:4.13+dfsg1-1'],
    );
    assert.equal(inventory.skipped, 2, 'the escape-laden name and the 100 kB version');
    // The oracle: dpkg-query itself on the same database (the valid records only).
    const good = root(`${STATUS.split('\n\n').slice(0, 4).join('\n\n')}\n`);
    const out = spawnSync('dpkg-query', ['--admindir', join(good, 'var/lib/dpkg'), '-W', '-f', '${db:Status-Status} ${Package} ${Version}\\n'], {
      encoding: 'utf8',
    });
    assert.equal(out.status, 0, out.stderr);
    const dpkgListed = out.stdout
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('config-files') && !l.startsWith('not-installed'))
      .map((l) => l.split(' ').slice(1).join(' '))
      .sort();
    assert.deepEqual(
      readDpkgInventory(good).packages.map((p) => `${p.name} ${p.version}`),
      dpkgListed,
    );
  });

  it('refuses a status file that is a link out of the image, or not a file, without hanging', () => {
    const linked = root(undefined);
    symlinkSync('/etc/passwd', join(linked, 'var/lib/dpkg/status'));
    assert.throws(() => readDpkgInventory(linked), { code: 'E_PACKAGE_DATABASE', message: /symbolic link/ });
    const linkedDir = root(undefined);
    rmSync(join(linkedDir, 'var/lib/dpkg'), { recursive: true });
    symlinkSync('/var/lib/dpkg', join(linkedDir, 'var/lib/dpkg'));
    assert.throws(() => readDpkgInventory(linkedDir), { code: 'E_PACKAGE_DATABASE', message: /symbolic link/ });
    const fifo = root(undefined);
    assert.equal(spawnSync('mkfifo', [join(fifo, 'var/lib/dpkg/status')]).status, 0);
    assert.throws(() => readDpkgInventory(fifo), { code: 'E_PACKAGE_DATABASE', message: /not a regular file/ });
    assert.throws(() => readDpkgInventory(root(undefined)), { code: 'E_PACKAGE_DATABASE', message: /no \/var\/lib\/dpkg\/status/ });
  });

  it('takes no distribution from an os-release whose ID is not a plain word', () => {
    assert.equal(imageDistribution(root('', { osRelease: 'ID="debian\u001b[2J"\n' })), undefined);
    assert.deepEqual(imageDistribution(root('', { osRelease: 'ID=fedora\nVERSION_ID=40\n' })), { id: 'fedora', versionId: '40' });
  });
});
