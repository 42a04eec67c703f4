import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { attachTestLoop, detachTestLoop, sh } from '@aminator/testkit/linux';

export async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Mount a raw disk's root file system (first partition, or the whole disk) read-only (or `writable`), run `body`, always release. */
export async function withDiskMounted(disk: string, body: (root: string) => void | Promise<void>, options: { writable?: boolean } = {}): Promise<void> {
  let offset = 0;
  try {
    const table = JSON.parse(sh('sfdisk', ['--json', disk])).partitiontable;
    offset = table.partitions[0].start * (table.sectorsize ?? 512);
  } catch {
    offset = 0;
  }
  const loop = attachTestLoop(disk, { offset, readOnly: !options.writable });
  const root = mkdtempSync(join(tmpdir(), 'aminator-e2e-ro-'));
  try {
    sh('mount', ['-o', options.writable ? 'rw' : 'ro', loop, root]);
    try {
      await body(root);
    } finally {
      sh('umount', [root]);
    }
  } finally {
    detachTestLoop(loop);
    sh('rmdir', [root]);
  }
}

/**
 * A .deb built here with dpkg-deb: /usr/bin/NAME prints "NAME 3.1"; `postinst` is its maintainer
 * script, `files` more files it ships (path in the image → content).
 */
export interface DebOptions {
  readonly postinst?: string;
  readonly files?: Readonly<Record<string, string>>;
  /** Files of this many bytes of zeros (made sparse, packed with gzip: a small .deb that unpacks big). */
  readonly zeroFiles?: Readonly<Record<string, number>>;
}

export function buildDeb(dir: string, name = 'e2e-app', options: DebOptions = {}): string {
  const tree = join(dir, name);
  mkdirSync(join(tree, 'DEBIAN'), { recursive: true });
  mkdirSync(join(tree, 'usr/bin'), { recursive: true });
  writeFileSync(join(tree, 'usr/bin', name), `#!/bin/sh\necho ${name} 3.1\n`, { mode: 0o755 });
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(join(tree, dirname(path)), { recursive: true });
    writeFileSync(join(tree, path), content, { mode: 0o644 });
  }
  let zeroKiB = 0;
  for (const [path, bytes] of Object.entries(options.zeroFiles ?? {})) {
    mkdirSync(join(tree, dirname(path)), { recursive: true });
    sh('truncate', ['--size', String(bytes), join(tree, path)]);
    zeroKiB += Math.ceil(bytes / 1024);
  }
  // Installed-Size (KiB) is what apt announces as "After this operation, N MB …".
  const installed = zeroKiB > 0 ? `Installed-Size: ${zeroKiB + 4}\n` : '';
  writeFileSync(
    join(tree, 'DEBIAN/control'),
    `Package: ${name}\nVersion: 3.1-2\nArchitecture: all\nMaintainer: Tests <t@example.invalid>\n${installed}Description: e2e test app\n`,
  );
  if (options.postinst) writeFileSync(join(tree, 'DEBIAN/postinst'), options.postinst, { mode: 0o755 });
  const deb = join(dir, `${name}_3.1-2_all.deb`);
  sh('dpkg-deb', ['--build', '--root-owner-group', ...(zeroKiB > 0 ? ['-Zgzip', '-z1'] : []), tree, deb]);
  return deb;
}

/**
 * An .rpm (e2e-rpm 4.2-7) in a createrepo_c repository: noarch, or labelled for one architecture
 * (`--target`: it holds only a data file, so any host builds it).
 */
export function buildRpmRepo(dir: string, options: { arch?: 'noarch' | 'aarch64' | 'x86_64' } = {}): string {
  const arch = options.arch ?? 'noarch';
  const top = join(dir, `rpmbuild-${arch}`);
  mkdirSync(join(top, 'SPECS'), { recursive: true });
  const spec = join(top, 'SPECS', 'e2e-rpm.spec');
  writeFileSync(
    spec,
    [
      'Name: e2e-rpm',
      'Version: 4.2',
      'Release: 7',
      'Summary: e2e',
      'License: MIT',
      ...(arch === 'noarch' ? ['BuildArch: noarch'] : []),
      '%description',
      'e2e',
      '%install',
      'mkdir -p %{buildroot}/usr/share/e2e-rpm',
      'echo 4.2 > %{buildroot}/usr/share/e2e-rpm/VERSION',
      '%files',
      '/usr/share/e2e-rpm/VERSION',
      '',
    ].join('\n'),
  );
  sh('rpmbuild', ['-bb', '--quiet', ...(arch === 'noarch' ? [] : ['--target', arch]), '--define', `_topdir ${top}`, spec]);
  const repoDir = join(dir, arch === 'noarch' ? 'repo' : `repo-${arch}`);
  mkdirSync(repoDir);
  sh('cp', [join(top, 'RPMS', arch, `e2e-rpm-4.2-7.${arch}.rpm`), repoDir]);
  sh('createrepo_c', ['--quiet', repoDir]);
  return repoDir;
}

/** Serve a directory over HTTP on 127.0.0.1 (a package repository). */
export function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = resolve(dir, `.${decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/')}`);
    if (!path.startsWith(dir) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(readFileSync(path));
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

/** qemu processes started for this scratch directory (a verify boots a copy under its work root). */
export function qemuProcessesBelow(dir: string): string[] {
  return sh('ps', ['-eo', 'pid,args'])
    .split('\n')
    .filter((l) => l.includes('qemu-system') && l.includes(dir));
}

/** `name version arch` of each package a CycloneDX document aminate wrote lists (arch from the package URL), sorted. */
export function cycloneDxPackages(json: string): string[] {
  const bom = JSON.parse(json) as { components: Array<{ name: string; version: string; purl: string }> };
  return bom.components.map((c) => `${c.name} ${c.version} ${/[?&]arch=([^&]+)/.exec(c.purl)?.[1] ?? '?'}`).sort();
}

/** The oracle for a Debian image: dpkg-query of the host on the image's database, what has files on disk. */
export function dpkgQueryPackages(root: string): string[] {
  const out = sh('dpkg-query', ['--admindir', join(root, 'var/lib/dpkg'), '-W', '-f', '${db:Status-Status}\t${Package} ${Version} ${Architecture}\n']);
  return out
    .trim()
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([state]) => state !== 'config-files' && state !== 'not-installed')
    .map(([, entry]) => entry as string)
    .sort();
}

/** The oracle for an rpm image: `rpm -qa` (`--root`: the database the image's rpm uses), epoch first when there is one. */
export function rpmQueryPackages(root: string): string[] {
  return sh('rpm', ['--root', root, '-qa', '--qf', '%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{NAME} %{ARCH}\n'])
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [version, name, arch] = line.split(' ');
      return `${name} ${version} ${arch}`;
    })
    .sort();
}

/** ELF e_machine of a file: 0xb7 is AArch64, 0x3e x86-64. */
export function elfMachine(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(20);
    readSync(fd, header, 0, 20, 0);
    return header.readUInt16LE(18);
  } finally {
    closeSync(fd);
  }
}
