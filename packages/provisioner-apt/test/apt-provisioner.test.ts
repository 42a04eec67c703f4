import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type BaseImage, type PreparedChroot, ProcessCommandRunner } from '@aminator/core/internal';
import { hostDebianMirror, hostDebianSuite } from '@aminator/linux-host';
import { DebianChroot, debianConfigSchema } from '@aminator/os-debian';
import { createTestStepContext, describePluginConformance, expectProvisionFailure, ROOT_ONLY, type TestStepContext } from '@aminator/testkit';
import { debootstrapTarball, sh, useScratchRoot } from '@aminator/testkit/linux';
import plugin, { AptProvisioner, aptConfigSchema, splitDebianVersion } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const base: BaseImage = { id: 'img-base1', name: 'debian-base', sizeBytes: 1, tags: {} };

describePluginConformance(plugin, {
  packageDir,
  config: { updateAttempts: 2 },
  invalidConfigs: [{ postInstallDir: '/var/../etc' }, { updateAttempts: 0 }, { install: 'x' }],
});

describe('apt spec validation and versions', () => {
  const apt = new AptProvisioner(aptConfigSchema.parse({}), new ProcessCommandRunner(createTestStepContext().ctx.log));
  it('accepts names and pins, refuses what could be an option or a shell word', () => {
    assert.deepEqual(apt.parseSpec('nginx=1.22.1-9'), { raw: 'nginx=1.22.1-9', source: 'repository', name: 'nginx', version: '1.22.1-9' });
    for (const bad of ['-oAPT::Update::Pre-Invoke::=sh', '--reinstall', 'nginx nginx', 'nginx;id', 'NGINX', 'a'.repeat(300), 'nginx=1.0;id']) {
      assert.throws(() => apt.parseSpec(bad), { code: 'E_INVALID_INPUT' }, bad);
    }
  });
  it("tells dpkg not to fsync what it unpacks unless dpkgSync asks for dpkg's own syncs", async () => {
    for (const dpkgSync of [false, true]) {
      const calls: string[][] = [];
      const recording = new AptProvisioner(aptConfigSchema.parse({ dpkgSync }), {
        run: async (file, args) => {
          calls.push([file, ...args]);
          return { file, args, exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
        },
      });
      await recording.install('/chroot', 'hello', createTestStepContext().ctx, () => undefined);
      const [call] = calls;
      assert.deepEqual(call?.slice(0, 4), ['chroot', '/chroot', 'apt-get', 'install']);
      assert.equal(call?.at(-1), 'hello');
      assert.equal(call?.includes('Dpkg::Options::=--force-unsafe-io'), !dpkgSync, `dpkgSync: ${dpkgSync}`);
      assert.ok(call?.includes('Dir::Cache::srcpkgcache='), 'no source cache');
    }
  });
  it('splits Debian versions into version and release', () => {
    assert.deepEqual(splitDebianVersion('2.10-3'), { version: '2.10', release: '3' });
    assert.deepEqual(splitDebianVersion('1:2.3.4-1ubuntu2'), { version: '2.3.4', release: '1ubuntu2' });
    assert.deepEqual(splitDebianVersion('0.9'), { version: '0.9', release: '0' });
    assert.deepEqual(splitDebianVersion('1.0-beta-2'), { version: '1.0-beta', release: '2' });
  });
});

/** A .deb built here with dpkg-deb, depending on a package the base image lacks; `postinst` is its maintainer script. */
function buildDeb(dir: string, depends = 'less', name = 'aminator-test-app', postinst?: string): string {
  mkdirSync(dir, { recursive: true });
  const tree = join(dir, name);
  mkdirSync(join(tree, 'DEBIAN'), { recursive: true });
  mkdirSync(join(tree, `usr/share/${name}`), { recursive: true });
  writeFileSync(join(tree, `usr/share/${name}/VERSION`), '1.2.3\n');
  writeFileSync(
    join(tree, 'DEBIAN/control'),
    `Package: ${name}\nVersion: 1.2.3-4\nArchitecture: all\nMaintainer: Aminator Tests <tests@example.invalid>\nDepends: ${depends}\nDescription: test package for aminate\n`,
  );
  if (postinst) writeFileSync(join(tree, 'DEBIAN/postinst'), postinst, { mode: 0o755 });
  const deb = join(dir, `${name}_1.2.3-4_all.deb`);
  sh('dpkg-deb', ['--build', '--root-owner-group', tree, deb]);
  return deb;
}

describe('apt provisioner in a real debootstrap chroot', ROOT_ONLY, () => {
  let harness: TestStepContext | undefined;
  const { scratch, root } = useScratchRoot({
    prefix: 'aminator-apt-test',
    tarball: () => debootstrapTarball({ suite: hostDebianSuite() ?? 'bookworm', mirror: hostDebianMirror() ?? assert.fail('no Debian mirror') }),
    teardown: async () => assert.deepEqual((await harness?.stack.unwind({ reason: 'failure' }))?.errors ?? [], []),
  });
  let chroot: PreparedChroot;
  const runner = (): ProcessCommandRunner => new ProcessCommandRunner(ctx().log);
  const apt = (config: Record<string, unknown> = {}): AptProvisioner => new AptProvisioner(aptConfigSchema.parse(config), runner());
  const inChroot = (...args: string[]): string => sh('chroot', [root, ...args]);

  const ctx = (): TestStepContext['ctx'] => (harness ?? assert.fail('not prepared')).ctx;
  before(async () => {
    harness = createTestStepContext({ runId: 'apt1' });
    chroot = await new DebianChroot(debianConfigSchema.parse({}), runner()).prepareChroot({ root, device: '/dev/null', fsType: 'ext4' }, harness.ctx);
  });

  it('installs a package from the mirror and reads back what dpkg-query says', async () => {
    const installed = await apt().provision({ chroot, spec: apt().parseSpec('hello'), baseImage: base, environment: 'test' }, ctx());
    const [name, full, arch] = inChroot('dpkg-query', '-W', '-f', '${Package}\t${Version}\t${Architecture}', 'hello').split('\t');
    assert.deepEqual(installed, { name, ...splitDebianVersion(full ?? ''), arch });
    assert.match(inChroot('/usr/bin/hello'), /Hello, world!/);
    assert.deepEqual(
      readdirSync(join(root, 'var/cache/apt/archives')).filter((f) => f.endsWith('.deb')),
      [],
      'apt-get clean ran',
    );
  });

  it('leaves apt no source cache to build, with the package lists and auto-installed marks as apt keeps them', async () => {
    const installed = await apt({ clean: false }).provision({ chroot, spec: apt().parseSpec('tree'), baseImage: base, environment: 'test' }, ctx());
    assert.equal(installed.name, 'tree');
    const cache = readdirSync(join(root, 'var/cache/apt'));
    assert.ok(!cache.includes('srcpkgcache.bin'), `no source cache: ${cache.join(' ')}`);
    assert.match(inChroot('apt-get', 'install', '-s', 'tree'), /tree is already the newest version/);
    inChroot('apt-get', 'clean');
  });

  it('installs a local .deb with its dependencies, and runs post-install scripts with AMINATOR_* variables', async () => {
    mkdirSync(join(root, 'var/local'), { recursive: true });
    writeFileSync(join(root, 'var/local/10-record.sh'), 'env | grep ^AMINATOR_ | sort > /var/local/recorded\n');
    const deb = buildDeb(scratch);
    const { ctx, stack } = createTestStepContext({ runId: 'apt2' });
    try {
      const installed = await apt().provision({ chroot, spec: apt().parseSpec(deb), baseImage: base, environment: 'test' }, ctx);
      assert.deepEqual(installed, { name: 'aminator-test-app', version: '1.2.3', release: '4', arch: 'all' });
      assert.match(inChroot('dpkg-query', '-W', '-f', '${Status}', 'less'), /install ok installed/, 'the dependency was installed');
      assert.match(inChroot('apt-mark', 'showauto'), /^less$/m, 'apt recorded the dependency as installed automatically');
      const recorded = readFileSync(join(root, 'var/local/recorded'), 'utf8');
      assert.match(recorded, /^AMINATOR_APPVERSION=aminator-test-app-1\.2\.3-4$/m);
      assert.match(recorded, /^AMINATOR_BASE_AMI_ID=img-base1$/m);
      assert.match(recorded, /^AMINATOR_PACKAGE=aminator-test-app$/m);
    } finally {
      await stack.unwind({ reason: 'success' });
      rmSync(join(root, 'var/local/10-record.sh'));
    }
    assert.deepEqual(
      readdirSync(join(root, 'tmp')).filter((f) => f.startsWith('aminator-')),
      [],
      'the staged .deb is removed',
    );
  });

  it('fails the bake when a post-install script fails', async () => {
    writeFileSync(join(root, 'var/local/20-fail.sh'), 'echo broken >&2; exit 3\n');
    chmodSync(join(root, 'var/local/20-fail.sh'), 0o755);
    try {
      await assert.rejects(apt().provision({ chroot, spec: apt().parseSpec('hello'), baseImage: base, environment: 'test' }, ctx()), {
        code: 'E_POSTINSTALL_FAILED',
      });
    } finally {
      rmSync(join(root, 'var/local/20-fail.sh'));
    }
  });

  it('does not start the daemon a package installs, and leaves the host policy-rc.d alone', async () => {
    const hostPolicyBefore = spawnSync('cat', ['/usr/sbin/policy-rc.d'], { encoding: 'utf8' }).stdout;
    await apt().provision({ chroot, spec: apt().parseSpec('cron'), baseImage: base, environment: 'test' }, ctx());
    const inside = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((pid) => {
        try {
          return readlinkSync(`/proc/${pid}/root`) === root;
        } catch {
          return false;
        }
      });
    assert.deepEqual(
      inside.map((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim()),
      [],
      'no process runs inside the chroot',
    );
    assert.equal(spawnSync('cat', ['/usr/sbin/policy-rc.d'], { encoding: 'utf8' }).stdout, hostPolicyBefore);
  });

  it('downloads a .deb from an http URL, and refuses an https server whose certificate it cannot verify', async () => {
    const deb = buildDeb(join(scratch, 'served'));
    const body = readFileSync(deb);
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.debian.binary-package' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const { ctx: c1, stack: s1 } = createTestStepContext({ runId: 'apt-url' });
    try {
      const installed = await apt().provision(
        { chroot, spec: apt().parseSpec(`http://127.0.0.1:${port}/pool/aminator-test-app_1.2.3-4_all.deb`), baseImage: base, environment: 'test' },
        c1,
      );
      assert.equal(installed.name, 'aminator-test-app');
    } finally {
      await s1.unwind({ reason: 'success' });
      server.close();
    }
    const key = join(scratch, 'tls.key');
    const cert = join(scratch, 'tls.crt');
    sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1']);
    const tls = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end(body));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const { ctx: c2, stack: s2 } = createTestStepContext({ runId: 'apt-tls' });
    try {
      await assert.rejects(
        apt().provision(
          { chroot, spec: apt().parseSpec(`https://127.0.0.1:${(tls.address() as AddressInfo).port}/a_1_all.deb`), baseImage: base, environment: 'test' },
          c2,
        ),
        { code: 'E_DOWNLOAD_FAILED' },
      );
    } finally {
      await s2.unwind({ reason: 'failure' });
      tls.close();
    }
  });

  /** Provision `spec` and expect one failure class (testkit's expectProvisionFailure). */
  const expectFailure = (spec: string, code: string, retryable: boolean, says: RegExp, config: Record<string, unknown> = { updateAttempts: 1 }) =>
    expectProvisionFailure(root, (run) => apt(config).provision({ chroot, spec: apt().parseSpec(spec), baseImage: base, environment: 'test' }, run), {
      code,
      retryable,
      says,
    });

  it('says E_DEPENDENCY_PROBLEM, quoting apt, when a dependency cannot be installed', async () => {
    const deb = buildDeb(join(scratch, 'unsatisfiable'), 'aminator-no-such-dependency (>= 1)');
    await expectFailure(deb, 'E_DEPENDENCY_PROBLEM', false, /Depends: aminator-no-such-dependency .* but it is not installable/);
  });

  it('says E_PACKAGE_NOT_FOUND for a name the sources lack, E_VERSION_NOT_FOUND for a version they lack', async () => {
    await expectFailure('no-such-package-aminator', 'E_PACKAGE_NOT_FOUND', false, /no package "no-such-package-aminator":\n.*Unable to locate package/);
    await expectFailure(
      'hello=0.0.1-0',
      'E_VERSION_NOT_FOUND',
      false,
      /not in the version asked for "hello=0\.0\.1-0":\n.*Version '0\.0\.1-0' for 'hello' was not found/,
    );
  });

  it('says E_MAINTAINER_SCRIPT_FAILED, naming the package, when its postinst exits 1', async () => {
    const deb = buildDeb(join(scratch, 'postinst-fails'), 'dash', 'aminator-post-fail', '#!/bin/sh\necho configuring fails >&2\nexit 1\n');
    try {
      await expectFailure(
        deb,
        'E_MAINTAINER_SCRIPT_FAILED',
        false,
        /the maintainer script of aminator-post-fail failed in the image:\n.*post-installation script subprocess returned error exit status 1/,
      );
    } finally {
      inChroot('dpkg', '--purge', '--force-all', 'aminator-post-fail');
    }
  });

  it('says E_SIGNATURE_INVALID when a repository of the image is not signed', async () => {
    const repo = join(scratch, 'unsigned-repo');
    buildDeb(repo, 'dash', 'aminator-unsigned-app');
    writeFileSync(join(repo, 'Packages'), sh('dpkg-scanpackages', ['--multiversion', '.'], { cwd: repo }));
    const server = createServer((req, res) => {
      const file = join(repo, (req.url ?? '/').replace(/\?.*$/, ''));
      try {
        res.end(readFileSync(file));
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const list = join(root, 'etc/apt/sources.list.d/aminator-unsigned.list');
    writeFileSync(list, `deb http://127.0.0.1:${(server.address() as AddressInfo).port}/ ./\n`);
    try {
      await expectFailure('aminator-unsigned-app', 'E_SIGNATURE_INVALID', false, /a signature check failed:\n.*(not signed|does not have a Release file)/);
    } finally {
      rmSync(list);
      server.close();
    }
  });

  it("says E_REPOSITORY_UNREACHABLE when the image's mirror cannot be reached from the chroot (apt-get update only warns)", async () => {
    const sources = join(root, 'etc/apt/sources.list');
    const saved = readFileSync(sources, 'utf8');
    const listsDir = join(root, 'var/lib/apt/lists');
    try {
      // Port 9 (discard) on 127.0.0.1: nothing listens, the connection is refused at once.
      writeFileSync(sources, `deb http://127.0.0.1:9/debian ${hostDebianSuite() ?? 'bookworm'} main\n`);
      for (const list of readdirSync(listsDir).filter((f) => f.endsWith('_Packages'))) rmSync(join(listsDir, list));
      await assert.rejects(
        apt({ updateAttempts: 1 }).provision({ chroot, spec: apt().parseSpec('figlet'), baseImage: base, environment: 'test' }, ctx()),
        (error: { code: string; message: string; suggestions: string[]; retryable: boolean; exitCode: number }) => {
          assert.equal(error.code, 'E_REPOSITORY_UNREACHABLE');
          assert.equal(error.retryable, true, 'a mirror that cannot be reached now may be reached later');
          assert.equal(error.exitCode, 75);
          assert.match(error.message, /could not be reached from the chroot:\n.*127\.0\.0\.1.*(refused|connect)/i);
          assert.ok(error.suggestions.some((s) => s.includes('resolv.conf')));
          return true;
        },
      );
    } finally {
      writeFileSync(sources, saved);
      inChroot('apt-get', '-q', 'update');
    }
  });
});
