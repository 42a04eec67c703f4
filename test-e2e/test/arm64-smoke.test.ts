import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findArchitecture, requireEmulation } from '@aminator/linux-host';
import { jsonLines, ROOT_ONLY } from '@aminator/testkit';
import { cycloneDxPackages, elfMachine, withDiskMounted } from './fixtures.js';
import { type LocalWorld, openLocalWorld } from './local-world.js';

/** Why this host cannot run arm64 programs, if it cannot (the bake's own preflight rule). */
function noEmulation(): string | undefined {
  try {
    requireEmulation(findArchitecture('arm64') ?? assert.fail('no arm64 row'));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * arm64 in every test run, at the cost of one small bake: `hello` on a minimal arm64 base (a foreign
 * debootstrap, cached like the amd64 one: ~2.5 minutes the first time), apt and dpkg running under
 * qemu-user through binfmt_misc. The whole arm64 path — foundation, boot, EBS direct, dnf, the fault
 * matrix — is `npm run test:arm64`. In CI (.ci/run registers the emulator) a host without emulation
 * fails this test; elsewhere it is skipped with the reason.
 */
const missing = noEmulation();
const options = missing && !process.env.CI ? { skip: `no arm64 emulation here: ${missing}` } : ROOT_ONLY;

describe('an arm64 bake on this x86_64 host in every run: hello on an arm64 base under qemu-user', options, () => {
  let world: LocalWorld;
  before(async () => {
    world = await openLocalWorld('aminator-e2e-arm64-smoke-', { arch: 'arm64' });
  });
  after(() => world?.close());

  it('bakes hello: an arm64 image with an AArch64 hello, an SBOM that says arm64, nothing of the emulator in it, nothing left', async () => {
    const result = await world.aminate(['--json', 'bake', '--suffix', 'smoke', 'hello']);
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const last = jsonLines(result.stdout).at(-1) ?? {};
    assert.equal(last.package?.arch, 'arm64');
    const sbom = await world.aminate(['images', 'sbom', String(last.image?.id)]);
    assert.equal(sbom.code, 0, sbom.stderr);
    assert.ok(
      cycloneDxPackages(sbom.stdout).some((p) => /^hello \S+ arm64$/.test(p)),
      'the SBOM lists the arm64 hello',
    );
    await withDiskMounted(join(world.store, 'images', String(last.image?.id), 'disk.raw'), (root) => {
      assert.equal(elfMachine(join(root, 'usr/bin/hello')), 0xb7, 'hello is an AArch64 program');
      for (const path of ['usr/bin/qemu-aarch64-static', 'usr/libexec/qemu-binfmt', 'usr/sbin/policy-rc.d'])
        assert.equal(existsSync(join(root, path)), false, `no ${path} in the image`);
    });
    world.assertNothingLeft();
  });
});
