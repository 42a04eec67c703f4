import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ProcessCommandRunner } from '@aminator/core/internal';
import { hostDebianMirror, hostDebianSuite, mountsAtOrBelow } from '@aminator/linux-host';
import { createTestStepContext, describePluginConformance, ROOT_ONLY } from '@aminator/testkit';
import { debootstrapTarball, useScratchRoot } from '@aminator/testkit/linux';
import plugin, { RedhatChroot, redhatConfigSchema } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ORIGINAL_SYSTEMCTL = '#!/bin/sh\necho real systemctl\n';

describePluginConformance(plugin, { packageDir, invalidConfigs: [{ divert: ['/etc/passwd'] }, { divert: ['/usr/bin/../../x'] }] });

describe('os-redhat on a real root with rpm', ROOT_ONLY, () => {
  const { scratch, root } = useScratchRoot({
    prefix: 'aminator-redhat-test',
    tarball: () => debootstrapTarball({ suite: hostDebianSuite() ?? 'bookworm', mirror: hostDebianMirror() ?? assert.fail('no Debian mirror') }),
  });
  before(() => {
    writeFileSync(join(root, 'usr/bin/rpm'), '#!/bin/sh\n');
    writeFileSync(join(root, 'usr/bin/systemctl'), ORIGINAL_SYSTEMCTL);
    chmodSync(join(root, 'usr/bin/systemctl'), 0o755);
  });
  let originalService = '';
  before(() => {
    originalService = readFileSync(join(root, 'usr/sbin/service'), 'utf8');
  });
  const redhat = (): RedhatChroot =>
    new RedhatChroot(
      redhatConfigSchema.parse({ divert: ['/usr/bin/systemctl', '/usr/sbin/service', '/usr/sbin/chkconfig'] }),
      new ProcessCommandRunner(createTestStepContext().ctx.log),
    );
  const run = (...args: string[]): { status: number | null; out: string } => {
    const r = spawnSync('chroot', [root, ...args], { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    return { status: r.status, out: r.stdout + r.stderr };
  };

  it('diverts systemctl (and only what exists) while prepared, restores it after', async () => {
    const { ctx, stack } = createTestStepContext({ runId: 'rh1' });
    try {
      await redhat().prepareChroot({ root, device: '/dev/null', fsType: 'xfs' }, ctx);
      const diverted = run('/usr/bin/systemctl', 'start', 'httpd');
      assert.equal(diverted.status, 0);
      assert.match(diverted.out, /aminate: not running systemctl start httpd/);
      assert.match(run('/usr/sbin/service', 'nginx', 'start').out, /aminate: not running service nginx start/);
      assert.equal(existsSync(join(root, 'usr/sbin/chkconfig')), false, 'nothing is created where the image has no such program');
      assert.deepEqual(
        mountsAtOrBelow(root)
          .map((m) => m.target.slice(root.length))
          .sort(),
        ['/dev', '/dev/pts', '/proc', '/run', '/sys'],
      );
    } finally {
      const report = await stack.unwind({ reason: 'failure' });
      assert.deepEqual(report.errors, []);
    }
    assert.equal(readFileSync(join(root, 'usr/bin/systemctl'), 'utf8'), ORIGINAL_SYSTEMCTL);
    assert.equal(readFileSync(join(root, 'usr/sbin/service'), 'utf8'), originalService);
    assert.deepEqual(mountsAtOrBelow(root), []);
  });

  it('refuses a root without rpm', async () => {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    await assert.rejects(redhat().prepareChroot({ root: empty, device: '/dev/null', fsType: 'xfs' }, createTestStepContext().ctx), { code: 'E_OS_MISMATCH' });
  });
});
