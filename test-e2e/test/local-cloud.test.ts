import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hostDebianSuite } from '@aminator/linux-host';
import { type CliOptions, type CliResult, jsonLines, ROOT_ONLY, runCli } from '@aminator/testkit';
import { assertNoLeaks, type HostSnapshot, mountsBelow, removeTreeSafely, sh, snapshotHost } from '@aminator/testkit/linux';
import { buildDeb, buildRpmRepo, cycloneDxPackages, dpkgQueryPackages, rpmQueryPackages, serve, sha256, withDiskMounted } from './fixtures.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(repo, 'packages', 'core-bin', 'bin', 'aminate.js');

describe('local cloud, end to end through the aminate CLI (real loop devices, mounts, chroots)', ROOT_ONLY, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-e2e-local-'));
  const store = join(scratch, 'store');
  const locks = join(scratch, 'locks');
  const work = join(scratch, 'work');
  const config = join(scratch, 'aminator.config.json');
  let host: HostSnapshot;
  let server: Server;
  const aminate = (args: readonly string[], options: CliOptions = {}): Promise<CliResult> => runCli(bin, ['-c', config, ...args], { cwd: scratch, ...options });
  const withImageMounted = (image: { id: string }, body: (root: string) => void | Promise<void>): Promise<void> =>
    withDiskMounted(join(store, 'images', image.id, 'disk.raw'), body);
  const image = (id: string): Record<string, any> => JSON.parse(readFileSync(join(store, 'images', id, 'image.json'), 'utf8'));

  /** What a bake must leave behind: no volume, no half image, no lock, nothing mounted under the work root. */
  function assertNothingLeft(): void {
    assert.deepEqual(readdirSync(join(store, 'volumes')), [], 'no working volume left');
    assert.deepEqual(
      readdirSync(join(store, 'images')).filter((d) => d.startsWith('.tmp-')),
      [],
      'no half-made image',
    );
    assert.deepEqual(existsSync(locks) ? readdirSync(locks) : [], [], 'no lock left');
    assert.deepEqual(mountsBelow(work), [], 'nothing mounted under the work root');
    assertNoLeaks(host, { within: [scratch] });
  }

  before(async () => {
    host = snapshotHost();
    server = await serve(buildRpmRepo(scratch));
    writeFileSync(
      config,
      JSON.stringify({
        workRoot: work,
        lockDir: locks,
        cloud: { local: { store } },
        provisioner: { yum: { releasever: '12', repos: [{ id: 'e2e', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, gpgcheck: false }] } },
      }),
    );
    const foundation = await aminate(['--json', 'foundation', '--name', 'debian-base', '--size', '1G', '--minimal']);
    assert.equal(foundation.code, 0, foundation.stderr);
    // A foundation runs as a bake does: the same events, step by step, and a result naming the image.
    const events = jsonLines(foundation.stdout);
    const steps = ['plan', 'create-disk', 'partition', 'install', 'configure', 'teardown', 'publish', 'cleanup'];
    assert.deepEqual(events[0]?.steps, steps);
    assert.deepEqual(
      events.filter((e) => e.type === 'step-end').map((e) => `${e.step} ${e.status}`),
      steps.map((step) => `${step} succeeded`),
    );
    const last = events.at(-1) ?? {};
    assert.deepEqual([last.type, last.kind, last.command, last.status, last.image?.name], ['result', 'command', 'foundation', 'succeeded', 'debian-base']);
    // Its SBOM lists exactly what dpkg-query finds in the image; a foundation has no delta.
    const manifest = JSON.parse((await aminate(['images', 'show', '--json', 'debian-base'])).stdout);
    assert.equal(manifest.contents.delta, undefined);
    assert.deepEqual(manifest.contents.documents.map((d: { file: string }) => d.file).sort(), ['sbom.cdx.json', 'sbom.spdx.json']);
    const sbom = await aminate(['images', 'sbom', 'debian-base']);
    assert.equal(sbom.code, 0, sbom.stderr);
    await withImageMounted(manifest, (root) => assert.deepEqual(cycloneDxPackages(sbom.stdout), dpkgQueryPackages(root)));
    assert.equal(manifest.contents.packages, cycloneDxPackages(sbom.stdout).length);
  });
  after(() => {
    server?.close();
    const left = mountsBelow(scratch);
    removeTreeSafely(scratch);
    assert.deepEqual(left, []);
  });

  it('bakes hello: --json ends with the result line; the image has a working /usr/bin/hello and no policy-rc.d; the base is unchanged', async () => {
    const base = (await aminate(['images', 'show', '--json', 'debian-base'])).stdout;
    const baseImage = JSON.parse(base);
    const baseDisk = join(store, 'images', baseImage.id, 'disk.raw');
    const before = await sha256(baseDisk);
    const result = await aminate(['--json', 'bake', '--base-image', 'debian-base', '--tag', 'team=platform', 'hello']);
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const last = jsonLines(result.stdout).at(-1) ?? {};
    assert.equal(last.type, 'result');
    assert.equal(last.status, 'succeeded');
    assert.equal(last.package.name, 'hello');
    assert.match(last.image.name, /^hello-\d[\w.]*-\w+-amd64-\d{12}$/);
    assert.deepEqual(Object.keys(last.image).sort(), ['cloud', 'contents', 'id', 'name', 'region', 'tags']);
    assert.deepEqual(
      last.image.contents.delta.added.map((p: { name: string }) => p.name),
      ['hello'],
      'hello needs nothing the base lacks',
    );
    const manifest = image(last.image.id);
    assert.equal(manifest.name, last.image.name);
    assert.equal(manifest.parentId, baseImage.id);
    assert.equal(manifest.tags.appversion, `hello-${last.package.version}-${last.package.release}`);
    assert.equal(manifest.tags.base_image_id, baseImage.id);
    assert.equal(manifest.tags.base_image_name, 'debian-base');
    assert.equal(manifest.tags.team, 'platform');
    assert.ok(manifest.tags.creator && manifest.tags.creation_time);
    await withImageMounted(manifest as never, (root) => {
      assert.match(sh('chroot', [root, '/usr/bin/hello']), /Hello, world!/);
      assert.equal(existsSync(join(root, 'usr/sbin/policy-rc.d')), false);
    });
    assert.equal(await sha256(baseDisk), before, 'the base image is unchanged');
    const listed = JSON.parse((await aminate(['images', 'list', '--json'])).stdout) as Array<{ id: string }>;
    assert.ok(listed.some((i) => i.id === last.image.id));
    assertNothingLeft();
  });

  it('bakes a local .deb', async () => {
    const result = await aminate(['--json', 'bake', '--base-image', 'debian-base', '--suffix', 'e2e', buildDeb(scratch)]);
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const last = jsonLines(result.stdout).at(-1) ?? {};
    assert.equal(last.image.name, 'e2e-app-3.1-2-all-e2e');
    await withImageMounted(image(last.image.id) as never, (root) => assert.equal(sh('chroot', [root, '/usr/bin/e2e-app']), 'e2e-app 3.1\n'));
    const again = await aminate(['bake', '--base-image', 'debian-base', '--suffix', 'e2e', buildDeb(join(scratch, 'again'))]);
    assert.equal(again.code, 2, 'the same name again is refused as EC2 refuses it: exit 2');
    assert.match(again.stderr, /E_IMAGE_EXISTS/);
    assert.equal((await aminate(['bake', '--base-image', 'debian-base', '--suffix', 'e2e', '--force', buildDeb(join(scratch, 'forced'))])).code, 0);
    const names = (JSON.parse((await aminate(['images', 'list', '--json'])).stdout) as Array<{ name: string }>).filter(
      (i) => i.name === 'e2e-app-3.1-2-all-e2e',
    );
    assert.equal(names.length, 1, '--force replaced it, no duplicate');
    assertNothingLeft();
  });

  it('a package that does not exist exits 1 with E_PACKAGE_NOT_FOUND, not retryable, and leaves nothing behind', async () => {
    const result = await aminate(['bake', '--base-image', 'debian-base', 'no-such-package-e2e']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error E_PACKAGE_NOT_FOUND \(step provision\): .*no package "no-such-package-e2e"/);
    assert.doesNotMatch(result.stderr, /retryable/);
    const json = await aminate(['--json', 'bake', '--base-image', 'debian-base', 'no-such-package-e2e']);
    assert.equal(json.code, 1);
    assert.deepEqual((({ code, retryable }) => ({ code, retryable }))(jsonLines(json.stdout).at(-1)?.error ?? {}), {
      code: 'E_PACKAGE_NOT_FOUND',
      retryable: false,
    });
    assertNothingLeft();
  });

  it('a package that fills the volume exits 1 with E_VOLUME_FULL, what was free, and a --volume-size that then works', async () => {
    const big = buildDeb(join(scratch, 'big'), 'e2e-big', { zeroFiles: { '/usr/share/e2e-big/blob': 900 * 1024 ** 2 } });
    const full = await aminate(['--json', 'bake', '--base-image', 'debian-base', big]);
    assert.equal(full.code, 1, full.stderr + full.stdout.slice(-3000));
    const error = jsonLines(full.stdout).at(-1)?.error ?? {};
    assert.equal(error.code, 'E_VOLUME_FULL');
    assert.equal(error.step, 'provision');
    assert.match(
      error.message,
      /the image's root file system is full: \d+ MiB of [\d.]+ (MiB|GiB) were free before the install; the package manager said it needed 9\d\d MiB/,
    );
    const [, size] = /--volume-size (\d+G) on the local cloud/.exec(error.suggestions.join('\n')) ?? [];
    assert.ok(size, JSON.stringify(error.suggestions));
    assertNothingLeft();
    const bigger = await aminate(['--json', 'bake', '--base-image', 'debian-base', '--volume-size', size ?? '', big]);
    assert.equal(bigger.code, 0, `the suggested --volume-size ${size} is enough: ${bigger.stderr}${bigger.stdout.slice(-3000)}`);
    assertNothingLeft();
  });

  it('an image whose mirror cannot be reached from the chroot: exit 75 (retryable), E_REPOSITORY_UNREACHABLE quoting apt, the full log kept, nothing left', async () => {
    const suite = hostDebianSuite() ?? 'bookworm';
    // Port 9 on 127.0.0.1: nothing listens, so every connection is refused at once.
    const offline = buildDeb(join(scratch, 'offline'), 'e2e-offline', { files: { '/etc/apt/sources.list': `deb http://127.0.0.1:9/debian ${suite} main\n` } });
    const made = await aminate(['--json', 'bake', '--base-image', 'debian-base', '--suffix', 'offline', offline]);
    assert.equal(made.code, 0, made.stderr + made.stdout.slice(-2000));
    const base = jsonLines(made.stdout).at(-1)?.image.name;
    const result = await aminate(['bake', '--base-image', base, 'figlet']);
    assert.equal(result.code, 75, result.stderr);
    assert.match(result.stderr, /→ retryable: a later try may pass \(exit 75, EX_TEMPFAIL\)/);
    assert.match(
      result.stderr,
      /error E_REPOSITORY_UNREACHABLE \(step provision\): step provision failed: the image's package repositories could not be reached from the chroot:\n.*127\.0\.0\.1/,
    );
    assert.match(result.stderr, /→ the chroot resolves names with the host's \/etc\/resolv\.conf/);
    const [, log = ''] = /^full log: (\S+)$/m.exec(result.stderr) ?? [];
    assert.match(readFileSync(log, 'utf8'), /Could not connect to 127\.0\.0\.1:9/, "the full log has apt's own lines");
    const json = await aminate(['--json', 'bake', '--base-image', base, 'figlet']);
    assert.equal(json.code, 75);
    const last = jsonLines(json.stdout).at(-1) ?? {};
    assert.equal(last.exitCode, 75);
    assert.deepEqual({ code: last.error?.code, retryable: last.error?.retryable }, { code: 'E_REPOSITORY_UNREACHABLE', retryable: true });
    assertNothingLeft();
  });

  it('SIGINT in the middle of the install exits 130 and leaves nothing behind', async () => {
    const result = await aminate(['--json', 'bake', '--base-image', 'debian-base', 'cowsay'], {
      signalOn: { when: '"step":"provision"', signal: 'SIGINT', delayMs: 800 },
    });
    assert.equal(result.code, 130, result.stderr);
    const last = jsonLines(result.stdout).at(-1) ?? {};
    assert.equal(last.status, 'interrupted');
    assert.equal(last.error?.step, 'provision', 'interrupted during the install');
    assertNothingLeft();
  });

  it('bakes on a whole-disk image (--partition-table none)', async () => {
    const foundation = await aminate(['foundation', '--name', 'debian-flat', '--size', '1G', '--minimal', '--partition-table', 'none']);
    assert.equal(foundation.code, 0, foundation.stderr);
    const result = await aminate(['--json', 'bake', '--base-image', 'debian-flat', '--suffix', 'flat', 'hello']);
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const baked = image(jsonLines(result.stdout).at(-1)?.image.id);
    assert.equal(baked.layout.partitionTable, 'none');
    await withImageMounted(baked as never, (root) => assert.match(sh('chroot', [root, '/usr/bin/hello']), /Hello/));
    assertNothingLeft();
  });

  it('bakes an .rpm from a dnf repository onto an xfs base image that has dnf', async () => {
    const foundation = await aminate(['foundation', '--name', 'debian-dnf-xfs', '--size', '1536M', '--minimal', '--fs', 'xfs', '--include', 'dnf,rpm']);
    assert.equal(foundation.code, 0, foundation.stderr);
    const result = await aminate(['-e', 'local_yum_linux', '--json', 'bake', '--base-image', 'debian-dnf-xfs', 'e2e-rpm']);
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const last = jsonLines(result.stdout).at(-1) ?? {};
    assert.deepEqual(last.package, { name: 'e2e-rpm', version: '4.2', release: '7', arch: 'noarch' });
    const baked = image(last.image.id);
    assert.equal(baked.layout.fsType, 'xfs');
    await withImageMounted(baked as never, (root) => {
      assert.equal(sh('chroot', [root, 'rpm', '-q', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}', 'e2e-rpm']), 'e2e-rpm-4.2-7');
    });
    // The rpm database is what the SBOM lists: the host's rpm read a copy of it, and `rpm -qa` agrees.
    const sbom = await aminate(['images', 'sbom', last.image.id]);
    assert.equal(sbom.code, 0, sbom.stderr);
    await withImageMounted(baked as never, (root) => assert.deepEqual(cycloneDxPackages(sbom.stdout), rpmQueryPackages(root)));
    assert.ok(cycloneDxPackages(sbom.stdout).includes('e2e-rpm 4.2-7 noarch'));
    assert.match(sbom.stdout, /pkg:rpm\/debian\/e2e-rpm@4\.2-7\?arch=noarch/);
    assertNothingLeft();
  });

  it('builds a Red Hat family foundation with dnf --installroot from a repository', async () => {
    const repoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const args = [
      '--json',
      'foundation',
      '--os',
      'redhat',
      '--repo',
      repoUrl,
      '--releasever',
      '12',
      '--include',
      'e2e-rpm',
      '--size',
      '512M',
      '--name',
      'rh-mini',
    ];
    // Signatures are always checked unless the user says otherwise; this test repository is unsigned.
    const unsigned = await aminate(args);
    assert.equal(unsigned.code, 2, unsigned.stderr);
    assert.match(unsigned.stderr + unsigned.stdout, /give --keyring with the repository's GPG key file[\s\S]*--insecure-repo/);
    const missing = await aminate([...args, '--keyring', join(scratch, 'no-such-key.asc')]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr + missing.stdout, /E_KEYRING_MISSING[\s\S]*the keyring .*no-such-key\.asc/);
    const result = await aminate([...args, '--insecure-repo']);
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const warned = jsonLines(result.stdout)
      .filter((e) => e.type === 'log' && e.level === 'warn')
      .map((e) => e.message);
    assert.ok(
      warned.some((m) => /without checking their signatures/.test(m)),
      JSON.stringify(warned),
    );
    const built = JSON.parse((await aminate(['images', 'show', '--json', 'rh-mini'])).stdout);
    assert.deepEqual(built.os, { family: 'redhat', release: '12' });
    assert.deepEqual(built.warnings, ['packages were installed without checking their signatures (--insecure-repo)'], 'the image records it');
    await withImageMounted(built, (root) => {
      assert.equal(readFileSync(join(root, 'usr/share/e2e-rpm/VERSION'), 'utf8'), '4.2\n');
      assert.match(readFileSync(join(root, 'etc/fstab'), 'utf8'), /^UUID=[0-9a-f-]+ \/ ext4 /m);
      assert.equal(sh('rpm', ['--root', root, '-q', 'e2e-rpm']).trim(), 'e2e-rpm-4.2-7.noarch');
      assert.deepEqual(cycloneDxPackages(readFileSync(join(store, 'images', built.id, 'sbom.cdx.json'), 'utf8')), rpmQueryPackages(root));
    });
    assertNothingLeft();
  });

  it('SIGINT while the foundation installs: exit 130, the install step named, every step undone, no image', async () => {
    const result = await aminate(['--json', 'foundation', '--name', 'interrupted-base', '--size', '1G', '--minimal'], {
      signalOn: { when: '"step":"install"', signal: 'SIGINT', delayMs: 800 },
    });
    assert.equal(result.code, 130, result.stderr);
    const events = jsonLines(result.stdout);
    const last = events.at(-1) ?? {};
    assert.deepEqual([last.status, last.error?.step], ['interrupted', 'install']);
    const undone = events.filter((e) => e.type === 'undo');
    assert.ok(undone.length >= 6 && undone.every((e) => e.status === 'succeeded'), JSON.stringify(undone));
    assert.equal((await aminate(['images', 'show', 'interrupted-base'])).code, 2, 'no image');
    assertNothingLeft();
  });

  it('missing host tools stop foundation and bake before anything is made, naming the packages to install', async () => {
    const env = { PATH: '/usr/bin:/bin' };
    const imagesBefore = readdirSync(join(store, 'images'));
    const foundation = await aminate(['foundation', '--name', 'never-made'], { env });
    assert.equal(foundation.code, 2, foundation.stderr);
    assert.match(foundation.stderr, /E_TOOL_MISSING[\s\S]*debootstrap[\s\S]*apt-get install debootstrap/);
    const bake = await aminate(['bake', '--base-image', 'debian-base', 'hello'], { env });
    assert.equal(bake.code, 2, bake.stderr);
    assert.match(bake.stderr, /E_TOOL_MISSING[\s\S]*losetup/);
    assert.deepEqual(readdirSync(join(store, 'images')), imagesBefore);
    assertNothingLeft();
  });

  it('a bake asks only for the tools it runs: an ext4 image that does not grow bakes without xfs_growfs and growpart', async () => {
    // A PATH with every host program but those two, as on a machine without xfsprogs and cloud-guest-utils.
    const pathDir = join(scratch, 'path-without-grow-tools');
    mkdirSync(pathDir);
    for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
      for (const name of existsSync(dir) ? readdirSync(dir) : []) {
        if (['xfs_growfs', 'growpart'].includes(name) || existsSync(join(pathDir, name))) continue;
        symlinkSync(join(dir, name), join(pathDir, name));
      }
    }
    const result = await aminate(['--json', 'bake', '--base-image', 'debian-base', '--suffix', 'nogrow', 'hello'], { env: { PATH: pathDir } });
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-2000));
    const grown = await aminate(['bake', '--base-image', 'debian-base', '--volume-size', '2G', '--suffix', 'grow', 'hello'], { env: { PATH: pathDir } });
    assert.equal(grown.code, 2, 'growing the partition needs growpart');
    assert.match(grown.stderr, /E_TOOL_MISSING[\s\S]*growpart[\s\S]*apt-get install cloud-guest-utils/);
    assertNothingLeft();
  });

  it('exports an image as raw and qcow2, and removes images', async () => {
    const raw = join(scratch, 'export.raw');
    const qcow = join(scratch, 'export.qcow2');
    assert.equal((await aminate(['images', 'export', 'debian-flat', '--output', raw])).code, 0);
    assert.equal((await aminate(['images', 'export', 'debian-flat', '--format', 'qcow2', '--output', qcow])).code, 0);
    assert.match(sh('qemu-img', ['info', qcow]), /file format: qcow2/);
    for (const file of [raw, qcow]) assert.equal(statSync(file).mode & 0o777, 0o600, `${file} is readable by its owner only`);
    // Nothing already at --output is touched unasked — above all not a dangling link a plain open would follow.
    const target = join(scratch, 'link-target.raw');
    const link = join(scratch, 'export-link.qcow2');
    symlinkSync(target, link);
    const throughLink = await aminate(['images', 'export', 'debian-flat', '--format', 'qcow2', '--output', link]);
    assert.equal(throughLink.code, 2, throughLink.stderr);
    assert.match(throughLink.stderr, /--output: .*export-link\.qcow2 is a symbolic link; nothing was written/);
    assert.equal(existsSync(target), false, 'the link was followed');
    assert.equal(lstatSync(link).isSymbolicLink(), true);
    const again = await aminate(['images', 'export', 'debian-flat', '--output', raw]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists; nothing was written[\s\S]*--force/);
    assert.equal((await aminate(['images', 'export', 'debian-flat', '--output', link, '--force'])).code, 0);
    assert.equal(lstatSync(link).isFile(), true, '--force replaces the link itself');
    assert.equal(existsSync(target), false, 'and still never writes through it');
    assert.deepEqual(
      readdirSync(scratch).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file left',
    );
    assert.equal((await aminate(['images', 'rm', 'debian-flat'])).code, 0);
    assert.equal((await aminate(['images', 'show', 'debian-flat'])).code, 2);
  });
});
