import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliResult, jsonLines, ROOT_ONLY } from '@aminator/testkit';
import { sh } from '@aminator/testkit/linux';
import { type Ec2World, openEc2World } from './ec2-world.js';
import { buildDeb, withDiskMounted } from './fixtures.js';
import { type LocalWorld, openLocalWorld } from './local-world.js';

const APPS = ['par-alpha', 'par-bravo', 'par-charlie', 'par-delta'];

/** What one bake used and made, from its --json events. */
function summarize(result: CliResult): { image: Record<string, any>; slot: string | undefined; devices: string[] } {
  assert.equal(result.code, 0, result.stderr + result.stdout.slice(-2000));
  const events = jsonLines(result.stdout);
  const acquired = events.filter((e) => e.type === 'resource' && e.action === 'acquired');
  const slot = acquired.find((e) => e.step === 'attach-volume' && e.resource.kind === 'lock')?.resource.id as string | undefined;
  const devices = acquired.filter((e) => e.resource.kind === 'loop-device' || e.resource.kind === 'attachment').map((e) => e.resource.id as string);
  return { image: events.at(-1)?.image, slot, devices };
}

/** Each image holds its own package and none of the others'. */
async function assertOwnPackageOnly(disk: string, app: string): Promise<void> {
  await withDiskMounted(disk, (root) => {
    assert.equal(sh('chroot', [root, `/usr/bin/${app}`]), `${app} 3.1\n`);
    for (const other of APPS.filter((a) => a !== app)) assert.equal(existsSync(join(root, 'usr/bin', other)), false, `${other} is not in ${app}'s image`);
  });
}

function assertDistinct(values: readonly string[], what: string): void {
  assert.equal(new Set(values).size, values.length, `distinct ${what}: ${values.join(', ')}`);
}

describe('four bakes of different packages at once on one host', ROOT_ONLY, () => {
  describe('local cloud', () => {
    let world: LocalWorld;
    before(async () => {
      world = await openLocalWorld('aminator-e2e-parallel-local-');
    });
    after(() => world.close());

    it('all succeed, on distinct loop devices and locking no device name, each image with its own package', async () => {
      const debs = APPS.map((app) => buildDeb(world.scratch, app));
      const results = await Promise.all(debs.map((deb) => world.aminate(['--json', 'bake', '--suffix', 'par', deb])));
      const runs = results.map(summarize);
      assert.deepEqual(
        runs.map((r) => r.slot),
        APPS.map(() => undefined),
        'a loop cloud locks no /dev/sd name',
      );
      assertDistinct(
        runs.flatMap((r) => r.devices),
        'loop devices',
      );
      for (const [i, run] of runs.entries()) {
        assert.equal(run.image.name, `${APPS[i]}-3.1-2-all-par`);
        await assertOwnPackageOnly(join(world.store, 'images', run.image.id, 'disk.raw'), APPS[i] as string);
      }
      world.assertNothingLeft();
    });
  });

  describe('EC2 test endpoint', () => {
    let world: Ec2World;
    before(async () => {
      world = await openEc2World('aminator-e2e-parallel-ec2-');
    });
    after(() => world.close());

    it("all succeed, attached at distinct device names, each AMI's snapshot with its own package; no credential in any output, even with --debug", async () => {
      const debs = APPS.map((app) => buildDeb(world.scratch, app));
      const token = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN0123456789';
      const results = await Promise.all(
        debs.map((deb) => world.aminate(['--debug', ...world.bakeArgs('--suffix', 'par', deb)], { env: { AWS_SESSION_TOKEN: token } })),
      );
      const secrets = [token, world.endpoint.env.AWS_SECRET_ACCESS_KEY ?? '', world.endpoint.env.AWS_ACCESS_KEY_ID ?? ''];
      for (const result of results) {
        for (const secret of secrets) assert.equal((result.stdout + result.stderr).includes(secret), false, `${secret.slice(0, 6)}… is not printed`);
      }
      const runs = results.map(summarize);
      assertDistinct(
        runs.map((r) => r.slot ?? 'none'),
        'device slots',
      );
      assertDistinct(
        runs.flatMap((r) => r.devices).map((d) => d.split('@')[1] ?? d),
        'attachment device names',
      );
      for (const [i, run] of runs.entries()) {
        assert.match(run.image.name, new RegExp(`^${APPS[i]}-3\\.1-2-all-par$`));
        const image = world.endpoint.world.images.get(run.image.id);
        const snapshot = world.endpoint.world.snapshots.get(image?.blockDeviceMappings[0]?.ebs?.snapshotId ?? '');
        assert.ok(snapshot, `snapshot of ${run.image.id}`);
        await assertOwnPackageOnly(snapshot.file, APPS[i] as string);
      }
      world.assertNothingLeft(runs.map((r) => r.image.id));
    });
  });
});
