import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type BaseImage, ExecaCommandRunner, type PreparedChroot } from '@aminator/core';
import { hostDebianMirror, hostDebianSuite } from '@aminator/linux-host';
import { RedhatChroot, redhatConfigSchema } from '@aminator/os-redhat';
import { createTestStepContext, describePluginConformance, ROOT_ONLY, type TestStepContext } from '@aminator/testkit';
import { debootstrapDnfTarball, sh, useScratchRoot } from '@aminator/testkit/linux';
import plugin, { YumProvisioner, yumConfigSchema } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const base: BaseImage = { id: 'img-rh', name: 'rh-base', sizeBytes: 1, tags: {} };

describePluginConformance(plugin, { packageDir, config: { releasever: '9' }, invalidConfigs: [{ releasever: '9; rm' }, { postInstallDir: 'relative' }] });

describe('yum spec validation', () => {
  const yum = new YumProvisioner(yumConfigSchema.parse({}), new ExecaCommandRunner(createTestStepContext().ctx.log));
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

/** An .rpm built with rpmbuild and a repository made with createrepo_c. */
function buildRepo(dir: string): { rpm: string; repo: string } {
  const top = join(dir, 'rpmbuild');
  mkdirSync(join(top, 'SPECS'), { recursive: true });
  const spec = join(top, 'SPECS', 'aminator-test-rpm.spec');
  writeFileSync(
    spec,
    [
      'Name: aminator-test-rpm',
      'Version: 2.0.1',
      'Release: 3',
      'Summary: test package for aminate',
      'License: MIT',
      'BuildArch: noarch',
      '%description',
      'test package',
      '%install',
      'mkdir -p %{buildroot}/usr/share/aminator-test-rpm',
      'echo 2.0.1 > %{buildroot}/usr/share/aminator-test-rpm/VERSION',
      '%files',
      '/usr/share/aminator-test-rpm/VERSION',
      '',
    ].join('\n'),
  );
  sh('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, spec]);
  const rpm = join(top, 'RPMS', 'noarch', 'aminator-test-rpm-2.0.1-3.noarch.rpm');
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  cpSync(rpm, join(repo, 'aminator-test-rpm-2.0.1-3.noarch.rpm'));
  sh('createrepo_c', ['--quiet', repo]);
  return { rpm, repo };
}

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
  const yum = (): YumProvisioner => new YumProvisioner(yumConfigSchema.parse({ releasever: '12' }), new ExecaCommandRunner(ctx().log));
  const rpmQuery = (name: string): string => sh('chroot', [root, 'rpm', '-q', '--qf', '%{NAME}\t%{VERSION}\t%{RELEASE}\t%{ARCH}', name]);

  before(async () => {
    built = buildRepo(scratch);
    cpSync(built.repo, join(root, 'srv/repo'), { recursive: true });
    mkdirSync(join(root, 'etc/yum.repos.d'), { recursive: true });
    writeFileSync(join(root, 'etc/yum.repos.d/local.repo'), '[local]\nname=local test repository\nbaseurl=file:///srv/repo\ngpgcheck=0\nenabled=1\n');
    harness = createTestStepContext({ runId: 'yum1' });
    chroot = await new RedhatChroot(redhatConfigSchema.parse({}), new ExecaCommandRunner(harness.ctx.log)).prepareChroot(
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

  it('says clearly when a package does not exist', async () => {
    await assert.rejects(
      yum().provision({ chroot, spec: yum().parseSpec('no-such-rpm-aminator'), baseImage: base, environment: 'test' }, ctx()),
      (error: { suggestions: string[] }) => error.suggestions.some((s) => s.includes('no package "no-such-rpm-aminator"')),
    );
  });
});
