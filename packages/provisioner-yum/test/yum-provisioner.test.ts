import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type BakePlan, type BaseImage, type PreparedChroot, ProcessCommandRunner } from '@aminator/core/internal';
import { hostDebianMirror, hostDebianSuite } from '@aminator/linux-host';
import { RedhatChroot, redhatConfigSchema } from '@aminator/os-redhat';
import { createTestStepContext, describePluginConformance, expectProvisionFailure, ROOT_ONLY, type TestStepContext } from '@aminator/testkit';
import { debootstrapDnfTarball, sh, useScratchRoot } from '@aminator/testkit/linux';
import plugin, { YumProvisioner, yumConfigSchema } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const base: BaseImage = { id: 'img-rh', name: 'rh-base', sizeBytes: 1, tags: {} };

describePluginConformance(plugin, { packageDir, config: { releasever: '9' }, invalidConfigs: [{ releasever: '9; rm' }, { postInstallDir: 'relative' }] });

describe('yum spec validation', () => {
  const yum = new YumProvisioner(yumConfigSchema.parse({}), new ProcessCommandRunner(createTestStepContext().ctx.log));
  it('accepts names with versions, refuses options and shell words', () => {
    assert.equal(yum.parseSpec('nginx-1:1.20.1-10.el9').source, 'repository');
    for (const bad of ['--setopt=x', '-y', 'nginx httpd', 'nginx;id', '`id`', '../../etc/passwd.rpm'])
      assert.throws(() => yum.parseSpec(bad), { code: 'E_INVALID_INPUT' }, bad);
  });
});

/** The Debian test root with Debian's dnf and rpm installed: a chroot that has dnf. */
function dnfRootTarball(): string {
  return debootstrapDnfTarball({ suite: hostDebianSuite() ?? 'bookworm', mirror: hostDebianMirror() ?? assert.fail('no Debian mirror') });
}

/** An .rpm built with rpmbuild: `requires` a dependency, `post` its %post scriptlet (Lua: a shell one would require /bin/sh, which the test chroot's rpm database lacks). */
function buildRpm(dir: string, name: string, options: { requires?: string; post?: string; arch?: string } = {}): string {
  const top = join(dir, 'rpmbuild');
  mkdirSync(join(top, 'SPECS'), { recursive: true });
  const spec = join(top, 'SPECS', `${name}.spec`);
  writeFileSync(
    spec,
    [
      `Name: ${name}`,
      'Version: 2.0.1',
      'Release: 3',
      'Summary: test package for aminate',
      'License: MIT',
      // Another architecture than the host's comes from --target (rpmbuild refuses a BuildArch it cannot build).
      ...(options.arch ? [] : ['BuildArch: noarch']),
      ...(options.requires ? [`Requires: ${options.requires}`] : []),
      '%description',
      'test package',
      '%install',
      `mkdir -p %{buildroot}/usr/share/${name}`,
      `echo 2.0.1 > %{buildroot}/usr/share/${name}/VERSION`,
      '%files',
      `/usr/share/${name}/VERSION`,
      ...(options.post ? ['%post -p <lua>', options.post] : []),
      '',
    ].join('\n'),
  );
  const arch = options.arch ?? 'noarch';
  sh('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, ...(arch === 'noarch' ? [] : ['--target', arch]), spec]);
  return join(top, 'RPMS', arch, `${name}-2.0.1-3.${arch}.rpm`);
}

/** A repository made with createrepo_c from these .rpm files. */
function makeRepo(repo: string, rpms: readonly string[]): string {
  mkdirSync(repo, { recursive: true });
  for (const rpm of rpms) cpSync(rpm, join(repo, rpm.split('/').at(-1) as string));
  sh('createrepo_c', ['--quiet', repo]);
  return repo;
}

/** The test package in a repository, plus one needing a missing dependency and one whose %post fails. */
function buildRepo(dir: string): { rpm: string; repo: string } {
  const rpm = buildRpm(dir, 'aminator-test-rpm');
  const unmet = buildRpm(dir, 'aminator-unmet-rpm', { requires: 'aminator-no-such-dependency >= 1' });
  const postFails = buildRpm(dir, 'aminator-post-fail-rpm', { post: 'error("configuring fails")' });
  return { rpm, repo: makeRepo(join(dir, 'repo'), [rpm, unmet, postFails]) };
}

describe("a local .rpm must be for the base image's architecture", () => {
  const yum = new YumProvisioner(yumConfigSchema.parse({}), new ProcessCommandRunner(createTestStepContext().ctx.log));
  const dir = mkdtempSync(join(tmpdir(), 'aminator-yum-arch-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const plan = (file: string, architecture?: string): BakePlan => ({ spec: yum.parseSpec(file), baseImage: { ...base, architecture } }) as unknown as BakePlan;
  const planContext = { runId: 'test', signal: new AbortController().signal, log: createTestStepContext().ctx.log, dryRun: false } as never;

  it('refuses an aarch64 .rpm for an x86_64 base before any work (exit 2, both named); noarch and unknown bases pass', async () => {
    const foreign = buildRpm(join(dir, 'a'), 'aminator-arm-rpm', { arch: 'aarch64' });
    await assert.rejects(yum.preflight(plan(foreign, 'x86_64'), planContext), (error: any) => {
      assert.equal(error.code, 'E_ARCH_MISMATCH');
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /is built for aarch64, the base image is x86_64/);
      return true;
    });
    await yum.preflight(plan(foreign, 'arm64'), planContext);
    await yum.preflight(plan(foreign, undefined), planContext);
    await yum.preflight(plan(buildRpm(join(dir, 'n'), 'aminator-any-rpm'), 'x86_64'), planContext);
  });
});

describe('yum provisioner with dnf in a real chroot', ROOT_ONLY, () => {
  let harness: TestStepContext | undefined;
  const { scratch, root } = useScratchRoot({
    prefix: 'aminator-yum-test',
    tarball: dnfRootTarball,
    teardown: async () => assert.deepEqual((await harness?.stack.unwind({ reason: 'failure' }))?.errors ?? [], []),
  });
  const ctx = (): TestStepContext['ctx'] => (harness ?? assert.fail('not prepared')).ctx;
  let chroot: PreparedChroot;
  let built: { rpm: string; repo: string };
  const yum = (): YumProvisioner => new YumProvisioner(yumConfigSchema.parse({ releasever: '12' }), new ProcessCommandRunner(ctx().log));
  const rpmQuery = (name: string): string => sh('chroot', [root, 'rpm', '-q', '--qf', '%{NAME}\t%{VERSION}\t%{RELEASE}\t%{ARCH}', name]);

  before(async () => {
    built = buildRepo(scratch);
    cpSync(built.repo, join(root, 'srv/repo'), { recursive: true });
    mkdirSync(join(root, 'etc/yum.repos.d'), { recursive: true });
    writeFileSync(join(root, 'etc/yum.repos.d/local.repo'), '[local]\nname=local test repository\nbaseurl=file:///srv/repo\ngpgcheck=0\nenabled=1\n');
    harness = createTestStepContext({ runId: 'yum1' });
    chroot = await new RedhatChroot(redhatConfigSchema.parse({}), new ProcessCommandRunner(harness.ctx.log)).prepareChroot(
      { root, device: '/dev/null', fsType: 'xfs' },
      harness.ctx,
    );
  });

  it('installs from a local repository with dnf and reads back what rpm -q says', async () => {
    const installed = await yum().provision({ chroot, spec: yum().parseSpec('aminator-test-rpm'), baseImage: base, environment: 'test' }, ctx());
    const [name, version, release, arch] = rpmQuery('aminator-test-rpm').split('\t');
    assert.deepEqual(installed, { name, version, release, arch });
    assert.deepEqual(installed, { name: 'aminator-test-rpm', version: '2.0.1', release: '3', arch: 'noarch' });
    assert.equal(readFileSync(join(root, 'usr/share/aminator-test-rpm/VERSION'), 'utf8'), '2.0.1\n');
    sh('chroot', [root, 'rpm', '-e', 'aminator-test-rpm']);
  });

  it('installs a local .rpm file, with post-install scripts seeing AMINATOR_*', async () => {
    mkdirSync(join(root, 'var/local'), { recursive: true });
    writeFileSync(join(root, 'var/local/10-record.sh'), 'echo "$AMINATOR_APPVERSION $AMINATOR_ARCH" > /var/local/recorded\n');
    const { ctx, stack } = createTestStepContext({ runId: 'yum2' });
    try {
      const installed = await yum().provision({ chroot, spec: yum().parseSpec(built.rpm), baseImage: base, environment: 'test' }, ctx);
      assert.equal(installed.name, 'aminator-test-rpm');
      assert.equal(readFileSync(join(root, 'var/local/recorded'), 'utf8'), 'aminator-test-rpm-2.0.1-3 noarch\n');
    } finally {
      await stack.unwind({ reason: 'success' });
    }
    assert.deepEqual(
      readdirSync(join(root, 'tmp')).filter((f) => f.startsWith('aminator-')),
      [],
    );
  });

  /** Provision `spec` and expect one failure class (testkit's expectProvisionFailure). */
  const expectFailure = (spec: string, code: string, retryable: boolean, says: RegExp) =>
    expectProvisionFailure(root, (run) => yum().provision({ chroot, spec: yum().parseSpec(spec), baseImage: base, environment: 'test' }, run), {
      code,
      retryable,
      says,
    });

  /** A repository file in the image for the length of `body`. */
  async function withRepoFile(name: string, text: string, body: () => Promise<void>): Promise<void> {
    const file = join(root, 'etc/yum.repos.d', `${name}.repo`);
    writeFileSync(file, text);
    try {
      await body();
    } finally {
      rmSync(file);
    }
  }

  it('says E_PACKAGE_NOT_FOUND for a name the repositories lack, E_VERSION_NOT_FOUND for a version they lack', async () => {
    await expectFailure('no-such-rpm-aminator', 'E_PACKAGE_NOT_FOUND', false, /no package "no-such-rpm-aminator":\n.*No match for argument/);
    await expectFailure('aminator-test-rpm-9.9', 'E_VERSION_NOT_FOUND', false, /not in the version asked for "aminator-test-rpm-9\.9"/);
  });

  it('says E_DEPENDENCY_PROBLEM, quoting dnf, when a dependency cannot be installed', async () => {
    await expectFailure('aminator-unmet-rpm', 'E_DEPENDENCY_PROBLEM', false, /nothing provides aminator-no-such-dependency/);
  });

  it('says E_MAINTAINER_SCRIPT_FAILED, naming the package, when its %post exits 1 (even where dnf itself exits 0)', async () => {
    try {
      await expectFailure(
        'aminator-post-fail-rpm',
        'E_MAINTAINER_SCRIPT_FAILED',
        false,
        /the maintainer script of aminator-post-fail-rpm\S* failed in the image/,
      );
    } finally {
      sh('chroot', [root, 'rpm', '-e', '--noscripts', 'aminator-post-fail-rpm']);
    }
  });

  it('says E_SIGNATURE_INVALID when a repository that must be signed serves an unsigned package', async () => {
    makeRepo(join(root, 'srv/unsigned-repo'), [buildRpm(join(scratch, 'unsigned'), 'aminator-unsigned-rpm')]);
    await withRepoFile('unsigned', '[unsigned]\nname=unsigned\nbaseurl=file:///srv/unsigned-repo\ngpgcheck=1\nenabled=1\n', () =>
      expectFailure('aminator-unsigned-rpm', 'E_SIGNATURE_INVALID', false, /a signature check failed:\n.*(not signed|GPG check FAILED|GPG public keys)/),
    );
  });

  it('says E_REPOSITORY_UNREACHABLE, retryable (exit 75), when a repository cannot be reached', async () => {
    // Port 9 (discard) on 127.0.0.1: nothing listens, the connection is refused at once.
    await withRepoFile('unreachable', '[unreachable]\nname=unreachable\nbaseurl=http://127.0.0.1:9/repo\ngpgcheck=0\nenabled=1\nskip_if_unavailable=0\n', () =>
      expectFailure('aminator-test-rpm', 'E_REPOSITORY_UNREACHABLE', true, /could not be reached from the chroot:\n.*127\.0\.0\.1/),
    );
  });
});
