import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ProcessCommandRunner } from '@aminator/core/internal';
import { hostDebianMirror, hostDebianSuite, mountsAtOrBelow } from '@aminator/linux-host';
import { createTestStepContext, describePluginConformance, ROOT_ONLY } from '@aminator/testkit';
import { debootstrapTarball, useScratchRoot } from '@aminator/testkit/linux';
import plugin, { DebianChroot, debianConfigSchema } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describePluginConformance(plugin, { packageDir, config: { unmountRetryMs: 1000 }, invalidConfigs: [{ unmountRetryMs: -1 }, { x: 1 }] });

function hostPolicy(): string | undefined {
  try {
    return readFileSync('/usr/sbin/policy-rc.d', 'utf8');
  } catch {
    return undefined;
  }
}

describe('os-debian on a real debootstrap root', ROOT_ONLY, () => {
  const policyBefore = hostPolicy();
  const { scratch, root } = useScratchRoot({
    prefix: 'aminator-debian-test',
    tarball: () =>
      debootstrapTarball({ suite: hostDebianSuite() ?? 'bookworm', mirror: hostDebianMirror() ?? assert.fail('no Debian mirror in the host apt sources') }),
  });
  after(() => assert.equal(hostPolicy(), policyBefore, "the host's /usr/sbin/policy-rc.d is untouched"));
  const debian = (): DebianChroot =>
    new DebianChroot(debianConfigSchema.parse({ unmountRetryMs: 3000 }), new ProcessCommandRunner(createTestStepContext().ctx.log));

  it('mounts the pseudo file systems, copies resolv.conf, blocks services — and undoes all of it', async () => {
    unlinkSync(join(root, 'etc/resolv.conf'));
    symlinkSync('../run/systemd/resolve/stub-resolv.conf', join(root, 'etc/resolv.conf'));
    const { ctx, stack } = createTestStepContext({ runId: 'deb1' });
    let unwound = false;
    try {
      await checkPrepared(ctx);
      const report = await stack.unwind({ reason: 'success' });
      unwound = true;
      assert.deepEqual(report.errors, []);
    } finally {
      if (!unwound) await stack.unwind({ reason: 'failure' });
    }
    assert.deepEqual(mountsAtOrBelow(root), []);
    assert.equal(existsSync(join(root, 'usr/sbin/policy-rc.d')), false);
    assert.equal(readlinkSync(join(root, 'etc/resolv.conf')), '../run/systemd/resolve/stub-resolv.conf', 'the original symlink is back');
  });

  async function checkPrepared(ctx: ReturnType<typeof createTestStepContext>['ctx']): Promise<void> {
    const chroot = await debian().prepareChroot({ root, device: '/dev/null', fsType: 'ext4' }, ctx);
    assert.equal(chroot.family, 'debian');
    const mounted = mountsAtOrBelow(root)
      .map((m) => m.target.slice(root.length))
      .sort();
    assert.deepEqual(mounted, ['/dev', '/dev/pts', '/proc', '/run', '/sys']);
    assert.equal(readFileSync(join(root, 'etc/resolv.conf'), 'utf8'), readFileSync('/etc/resolv.conf', 'utf8'));
    assert.equal(spawnSync('chroot', [root, '/usr/sbin/policy-rc.d'], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } }).status, 101);
    const comm = spawnSync('chroot', [root, '/bin/cat', '/proc/self/comm'], { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    assert.equal(comm.stdout.trim(), 'cat', comm.stderr);
  }

  it('refuses a root whose /proc is a symlink out of the image, mounting nothing', async () => {
    const outside = join(scratch, 'host-dir');
    mkdirSync(outside);
    const hostile = join(scratch, 'hostile');
    mkdirSync(join(hostile, 'etc'), { recursive: true });
    spawnSync('cp', [join(root, 'etc/debian_version'), join(hostile, 'etc/')]);
    symlinkSync(outside, join(hostile, 'proc'));
    const { ctx, stack } = createTestStepContext();
    await assert.rejects(debian().prepareChroot({ root: hostile, device: '/dev/null', fsType: 'ext4' }, ctx), { code: 'E_UNSAFE_PATH' });
    await stack.unwind({ reason: 'failure' });
    assert.deepEqual(mountsAtOrBelow(outside), []);
    assert.ok(lstatSync(join(hostile, 'proc')).isSymbolicLink());
  });

  it('refuses a root that is not Debian', async () => {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    await assert.rejects(debian().prepareChroot({ root: empty, device: '/dev/null', fsType: 'ext4' }, createTestStepContext().ctx), { code: 'E_OS_MISMATCH' });
  });
});
