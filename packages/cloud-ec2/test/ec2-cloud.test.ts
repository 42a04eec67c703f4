import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bootModesOf, Ec2Session } from '@aminator/aws-ec2';
import { type BakePlan, FileLockManager } from '@aminator/core';
import { createTestStepContext, describePluginConformance, ROOT_ONLY } from '@aminator/testkit';
import { Ec2TestEndpoint } from '@aminator/testkit/ec2';
import { assertNoLeaks, type HostSnapshot, makeDiskImage, snapshotHost } from '@aminator/testkit/linux';
import { DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import plugin, { Ec2Cloud, ec2ConfigSchema } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GiB = 1024 ** 3;

describePluginConformance(plugin, {
  packageDir,
  config: { region: 'eu-west-1', baseImageOwner: '123456789012', volumeSize: 20 },
  invalidConfigs: [
    { region: 'moon-1' },
    { baseImageOwner: 'someone' },
    { volumeType: 'fast' },
    { volumeSize: 0 },
    { kmsKeyId: 'x; rm' },
    { instanceId: 'host-1' },
    { baseImageArch: 'sparc64' },
  ],
});

describe('cloud-ec2 through the real SDK against the EC2 test endpoint', ROOT_ONLY, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-cloud-ec2-test-'));
  const endpoint = new Ec2TestEndpoint({ dir: join(scratch, 'endpoint') });
  const saved = { ...process.env };
  let host: HostSnapshot;
  let newest: string;
  let arm64: string;

  before(async () => {
    host = snapshotHost();
    await endpoint.start();
    Object.assign(process.env, endpoint.env);
    const disk = join(scratch, 'base.raw');
    makeDiskImage(disk, { sizeBytes: GiB, table: 'gpt', fs: 'ext4', files: { '/etc/debian_version': '12.0\n' } });
    endpoint.seedImage({ name: 'base-os-1', ownerId: '136693071363', disk, sizeGiB: 1, creationDate: '2026-01-01T00:00:00.000Z' });
    newest = endpoint.seedImage({ name: 'base-os-2', ownerId: '136693071363', disk, sizeGiB: 1, creationDate: '2026-06-01T00:00:00.000Z' }).id;
    endpoint.seedImage({ name: 'base-os-3-impostor', ownerId: '999999999999', disk, sizeGiB: 1, creationDate: '2026-09-01T00:00:00.000Z' });
    arm64 = endpoint.seedImage({
      name: 'base-os-4-arm64',
      ownerId: '136693071363',
      disk,
      sizeGiB: 1,
      creationDate: '2026-10-01T00:00:00.000Z',
      architecture: 'arm64',
    }).id;
  });
  after(async () => {
    await endpoint.stop();
    process.env = saved;
    rmSync(scratch, { recursive: true, force: true });
    assertNoLeaks(host, { within: [scratch] });
  });

  const cloudWith = (config: Record<string, unknown> = {}): Ec2Cloud => {
    const { devRoot, byIdDir } = endpoint.world.devices;
    const parsed = ec2ConfigSchema.parse({ attachTimeoutMs: 5_000, devRoot, byIdDir, nodeTimeoutMs: 10_000, ...config });
    return new Ec2Cloud(parsed, new Ec2Session(parsed), new FileLockManager(join(scratch, 'locks'), 'test'));
  };
  const planContext = (): never => ({ runId: 'test', signal: new AbortController().signal, log: createTestStepContext().ctx.log, dryRun: false }) as never;

  it('finds the newest available image of a name, only from the pinned owner', async () => {
    const base = await cloudWith({ baseImageName: 'base-os-*', baseImageOwner: '136693071363' }).resolveBaseImage(undefined, planContext());
    assert.equal(base.id, newest);
    assert.equal(base.sizeBytes, GiB);
    assert.equal(base.owner, '136693071363');
    assert.equal(base.location, 'us-east-1');
    assert.deepEqual(base.bootModes, ['uefi', 'bios'], 'uefi-preferred: UEFI first, BIOS too');
    assert.deepEqual([bootModesOf({ BootMode: 'uefi' }), bootModesOf({ BootMode: 'legacy-bios' }), bootModesOf({})], [['uefi'], ['bios'], ['bios']]);
    const byId = await cloudWith().resolveBaseImage(newest, planContext());
    assert.equal(byId.name, 'base-os-2');
  });

  it("filters a lookup by name on the architecture asked for (default this host's): one name pattern often covers both builds", async () => {
    const lookup = { baseImageName: 'base-os-*', baseImageOwner: '136693071363' };
    const host = await cloudWith(lookup).resolveBaseImage(undefined, planContext());
    assert.equal(host.architecture, 'x86_64', 'the newer arm64 image is not taken for this x86_64 host');
    const asked = await cloudWith({ ...lookup, baseImageArch: 'aarch64' }).resolveBaseImage(undefined, planContext());
    assert.equal(asked.id, arm64);
    assert.equal(asked.architecture, 'arm64');
    await assert.rejects(
      cloudWith({ baseImageName: 'base-os-1', baseImageOwner: '136693071363', baseImageArch: 'arm64' }).resolveBaseImage(undefined, planContext()),
      {
        code: 'E_BASE_IMAGE_NOT_FOUND',
        message: /"base-os-1" owned by 136693071363 for arm64/,
      },
    );
    assert.equal((await cloudWith({ baseImageArch: 'arm64' }).resolveBaseImage(newest, planContext())).architecture, 'x86_64', 'an id is taken as it is');
  });

  it('refuses a lookup by name without an owner before any API call', async () => {
    const before = endpoint.calls.length;
    await assert.rejects(
      cloudWith({ baseImageName: 'base-os-*' }).resolveBaseImage(undefined, planContext()),
      (e: any) => e.code === 'E_OWNER_REQUIRED' && e.exitCode === 2,
    );
    await assert.rejects(cloudWith().resolveBaseImage('base-os-2', planContext()), { code: 'E_OWNER_REQUIRED' });
    assert.equal(endpoint.calls.length, before);
    await assert.rejects(
      cloudWith().resolveBaseImage('ami-0123456789abcdef0', planContext()),
      (e: any) => e.code === 'E_BASE_IMAGE_NOT_FOUND' && e.exitCode === 2,
    );
  });

  it('refuses a working volume smaller than the base image before acting', async () => {
    const plan = { baseImage: { id: newest, name: 'base-os-2', sizeBytes: 8 * GiB, tags: {} } } as unknown as BakePlan;
    await assert.rejects(cloudWith({ volumeSize: 4 }).preflight(plan), { code: 'E_INVALID_INPUT' });
    await assert.rejects(cloudWith({ volumeType: 'gp2', iops: 3000 }).preflight(plan), { code: 'E_INVALID_INPUT' });
  });

  it('makes a tagged volume from the root snapshot, attaches it at a locked free name, returns the node the instance shows, and undoes all', async () => {
    const cloud = cloudWith({ volumeSize: 2 });
    const t = createTestStepContext({ runId: 'run-attach' });
    const base = await cloud.resolveBaseImage(newest, planContext());
    const volume = await cloud.createVolume(base, t.ctx);
    assert.equal(volume.sizeBytes, 2 * GiB);
    const record = endpoint.world.volumes.get(volume.id);
    assert.equal(record?.volumeType, 'gp3');
    assert.equal(record?.availabilityZone, 'us-east-1a');
    assert.deepEqual(
      { purpose: record?.tags.purpose, status: record?.tags.status, base: record?.tags.base_ami_id, host: record?.tags.host, pid: record?.tags.pid },
      { purpose: 'aminator-working-volume', status: 'building', base: newest, host: endpoint.world.instance.instanceId, pid: String(process.pid) },
    );
    const attachment = await cloud.attachVolume(volume, t.ctx);
    const node = join(endpoint.world.devices.devRoot, 'xvdf');
    assert.equal(attachment.device, node, 'the xvd twin of the /dev/sdf it asked for, as the instance shows it');
    assert.ok(lstatSync(node).isSymbolicLink() && statSync(realpathSync(node)).isBlockDevice());
    assert.ok(existsSync(`${node}1`), 'a partition node as a kernel with partition support shows it');
    const second = createTestStepContext({ runId: 'run-attach-2' });
    const other = await cloud.attachVolume(await cloud.createVolume(base, second.ctx), second.ctx);
    assert.equal(
      other.device,
      join(endpoint.world.devices.devRoot, 'xvdg'),
      'the next bake skips the slot in use (locked, its node present, EC2 reports it attached)',
    );
    assert.deepEqual((await second.stack.unwind({ reason: 'failure' })).errors, []);
    const report = await t.stack.unwind({ reason: 'failure' });
    assert.deepEqual(
      report.errors.map((e) => e.message),
      [],
    );
    assert.equal(existsSync(node), false);
    assert.deepEqual(endpoint.leftovers().volumes, []);
  });

  it('a stuck attachment times out, and the volume is detached and deleted', async () => {
    endpoint.world.faults.attachNeverCompletes = true;
    try {
      const cloud = cloudWith({ attachTimeoutMs: 1_500 });
      const t = createTestStepContext();
      const volume = await cloud.createVolume(await cloud.resolveBaseImage(newest, planContext()), t.ctx);
      await assert.rejects(
        cloud.attachVolume(volume, t.ctx),
        (e: any) => e.code === 'E_TIMEOUT' && /detached and the volume deleted/.test(e.suggestions.join()),
      );
      assert.deepEqual((await t.stack.unwind({ reason: 'failure' })).errors, []);
      assert.deepEqual(endpoint.leftovers().volumes, []);
    } finally {
      endpoint.world.faults.attachNeverCompletes = false;
    }
  });

  it("capacity errors are clear; throttling is ridden out by the SDK's adaptive retries", async () => {
    const cloud = cloudWith();
    const base = await cloud.resolveBaseImage(newest, planContext());
    endpoint.world.faults.failNext.push({ action: 'CreateVolume', code: 'InsufficientVolumeCapacity', times: 1, message: 'There is not enough capacity' });
    const failing = createTestStepContext();
    await assert.rejects(
      cloud.createVolume(base, failing.ctx),
      (e: any) =>
        e.code === 'E_EC2_API' &&
        /InsufficientVolumeCapacity/.test(e.message) &&
        /capacity/.test(e.suggestions.join()) &&
        e.retryable === true &&
        e.exitCode === 75,
    );
    assert.deepEqual(endpoint.leftovers().volumes, []);
    endpoint.world.faults.failNext.push({ action: '*', code: 'RequestLimitExceeded', status: 503, times: 3 });
    const before = endpoint.callsOf('CreateVolume');
    const t = createTestStepContext();
    await cloud.createVolume(base, t.ctx);
    assert.ok(endpoint.callsOf('CreateVolume') - before >= 2, 'retried');
    assert.deepEqual((await t.stack.unwind({ reason: 'failure' })).errors, []);
    assert.deepEqual(endpoint.leftovers().volumes, []);
  });

  it('waits see a state change within a second, backing off instead of polling at a fixed short interval', async () => {
    endpoint.world.delays.volumeCreate = 3_000;
    try {
      const cloud = cloudWith();
      const t = createTestStepContext();
      const started = Date.now();
      const before = endpoint.callsOf('DescribeVolumes');
      await cloud.createVolume(await cloud.resolveBaseImage(newest, planContext()), t.ctx);
      const lag = Date.now() - started - 3_000;
      const polls = endpoint.callsOf('DescribeVolumes') - before;
      assert.ok(lag < 1_000, `noticed ${lag} ms late`);
      assert.ok(polls <= 5, `${polls} DescribeVolumes calls for a 3 s wait (250 ms polling: 12)`);
      assert.deepEqual((await t.stack.unwind({ reason: 'failure' })).errors, []);
    } finally {
      endpoint.world.delays.volumeCreate = 0;
    }
  });

  describe('eventual consistency: a volume just created is not visible for a while', () => {
    const hidden = (ms: number): void => {
      endpoint.world.consistency.volume = ms;
    };
    const notFoundCalls = (action: string, id: string, since: number): number =>
      endpoint.calls.filter((c, i) => i >= since && c.action === action && c.ids.includes(id)).length;

    it('create, wait and attach ride out NotFound for the new volume, and the undo deletes it', async () => {
      hidden(1_500);
      try {
        const cloud = cloudWith({ volumeSize: 2 });
        const t = createTestStepContext();
        const since = endpoint.calls.length;
        const volume = await cloud.createVolume(await cloud.resolveBaseImage(newest, planContext()), t.ctx);
        assert.ok(notFoundCalls('DescribeVolumes', volume.id, since) >= 2, 'it asked again after NotFound');
        const visibleAt = endpoint.world.transitions.find((x) => x.id === volume.id && x.state === 'visible')?.at ?? assert.fail('no visible transition');
        const firstAfter = endpoint.calls.find((c, i) => i >= since && c.action === 'DescribeVolumes' && c.ids.includes(volume.id) && c.time >= visibleAt);
        assert.ok(firstAfter && firstAfter.time - visibleAt < 1_000, `noticed ${firstAfter && firstAfter.time - visibleAt} ms after it became visible`);
        await cloud.attachVolume(volume, t.ctx);
        assert.deepEqual(
          (await t.stack.unwind({ reason: 'failure' })).errors.map((e) => e.message),
          [],
        );
        assert.deepEqual(endpoint.leftovers().volumes, []);
      } finally {
        hidden(0);
      }
    });

    it('a failure right after CreateVolume: the undo retries the delete of the still-invisible volume instead of assuming it gone', async () => {
      hidden(1_500);
      try {
        const cloud = cloudWith();
        const base = await cloud.resolveBaseImage(newest, planContext());
        endpoint.world.faults.failNext.push({ action: 'DescribeVolumes', code: 'UnauthorizedOperation', status: 403, times: 1, startAfter: 'CreateVolume' });
        const t = createTestStepContext();
        const since = endpoint.calls.length;
        await assert.rejects(cloud.createVolume(base, t.ctx), /UnauthorizedOperation/);
        const id = [...endpoint.world.volumes.values()].find((v) => v.state === 'creating' || v.state === 'available')?.id ?? assert.fail('no volume made');
        assert.equal(endpoint.world.visible(id), false, 'the volume is still invisible when the undo starts');
        assert.deepEqual(
          (await t.stack.unwind({ reason: 'failure' })).errors.map((e) => e.message),
          [],
        );
        assert.ok(notFoundCalls('DescribeVolumes', id, since) >= 2, 'the undo asked again while the volume was invisible');
        assert.equal(notFoundCalls('DeleteVolume', id, since), 1);
        assert.deepEqual(endpoint.leftovers().volumes, [], 'the volume was deleted, not skipped as not found');
      } finally {
        endpoint.world.faults.failNext.length = 0;
        hidden(0);
      }
    });

    it('a base image that does not exist fails fast: no window for ids the bake did not create', async () => {
      hidden(1_500);
      endpoint.world.consistency.image = 1_500;
      try {
        const since = endpoint.calls.length;
        await assert.rejects(cloudWith().resolveBaseImage('ami-0123456789abcdef0', planContext()), { code: 'E_BASE_IMAGE_NOT_FOUND' });
        assert.equal(endpoint.calls.length - since, 1, 'one DescribeImages, no retries');
      } finally {
        hidden(0);
        endpoint.world.consistency.image = 0;
      }
    });
  });

  it('reads this instance from IMDSv2 when config does not name it', async () => {
    const session = new Ec2Session(ec2ConfigSchema.parse({}));
    assert.deepEqual(await session.identity(), { instanceId: endpoint.world.instance.instanceId, availabilityZone: 'us-east-1a', region: 'us-east-1' });
    const { Volumes } = await (await session.clients()).home.send(new DescribeVolumesCommand({}));
    assert.ok(Array.isArray(Volumes));
  });
});
