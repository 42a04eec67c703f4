import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hostDebianMirror, hostDebianSuite } from '@aminator/linux-host';
import { type CliOptions, type CliResult, jsonLines, ROOT_ONLY, runCli } from '@aminator/testkit';
import { Ec2TestEndpoint } from '@aminator/testkit/ec2';
import {
  assertNoLeaks,
  debootstrapDnfTarball,
  debootstrapTarball,
  type HostSnapshot,
  makeDiskImage,
  mountsBelow,
  removeTreeSafely,
  sh,
  snapshotHost,
} from '@aminator/testkit/linux';
import { DescribeImageAttributeCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CONSISTENCY } from './ec2-world.js';
import { buildRpmRepo, serve, withDiskMounted } from './fixtures.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(repo, 'packages', 'core-bin', 'bin', 'aminate.js');
const GiB = 1024 ** 3;
const OWNER = '136693071363';

describe('EC2 bakes end to end: aminate → the real AWS SDK over HTTP → the EC2 test endpoint (loop devices as EBS)', ROOT_ONLY, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-e2e-ec2-'));
  const endpoint = new Ec2TestEndpoint({ dir: join(scratch, 'endpoint'), consistency: CONSISTENCY });
  const config = join(scratch, 'aminator.config.json');
  let host: HostSnapshot;
  let server: Server;
  const aminate = (args: readonly string[], options: CliOptions = {}): Promise<CliResult> =>
    runCli(bin, ['-c', config, ...args], { cwd: scratch, ...options, env: { ...endpoint.env, ...options.env } });
  const client = (region = 'us-east-1'): EC2Client =>
    new EC2Client({ region, endpoint: endpoint.url, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
  const sameAsBefore = (): void => {
    assert.deepEqual(endpoint.leftovers(), { volumes: [], snapshots: [], images: [] }, 'nothing of the bake is left at the endpoint');
    assert.deepEqual(mountsBelow(join(scratch, 'work')), []);
    assertNoLeaks(host, { within: [scratch] });
  };
  const bakeArgs = (...rest: string[]): string[] => [
    '-e',
    'ec2_apt_linux',
    '--json',
    'bake',
    '--base-image-name',
    'debian-12-base-*',
    '--base-image-owner',
    OWNER,
    ...rest,
  ];

  before(async () => {
    host = snapshotHost();
    await endpoint.start();
    server = await serve(buildRpmRepo(scratch));
    const debian = { suite: hostDebianSuite() ?? 'bookworm', mirror: hostDebianMirror() ?? assert.fail('no Debian mirror in the host apt sources') };
    const disk = join(scratch, 'debian.raw');
    makeDiskImage(disk, { sizeBytes: 2 * GiB, table: 'gpt', fs: 'ext4', rootTarball: debootstrapTarball(debian) });
    endpoint.seedImage({ name: 'debian-12-base-20260101', ownerId: OWNER, disk, sizeGiB: 2, creationDate: '2026-01-01T00:00:00.000Z' });
    endpoint.seedImage({ name: 'debian-12-base-20261101', ownerId: OWNER, disk, sizeGiB: 2, creationDate: '2026-11-01T00:00:00.000Z' });
    endpoint.seedImage({ name: 'debian-12-base-20261125', ownerId: '999988887777', disk, sizeGiB: 2, creationDate: '2026-11-25T00:00:00.000Z' });
    const dnfDisk = join(scratch, 'debian-dnf.raw');
    makeDiskImage(dnfDisk, { sizeBytes: 2 * GiB, table: 'gpt', fs: 'ext4', rootTarball: debootstrapDnfTarball(debian) });
    endpoint.seedImage({ name: 'debian-dnf-base', ownerId: OWNER, disk: dnfDisk, sizeGiB: 2 });
    const { devRoot, byIdDir } = endpoint.world.devices;
    writeFileSync(
      config,
      JSON.stringify({
        workRoot: join(scratch, 'work'),
        lockDir: join(scratch, 'locks'),
        provisioner: { yum: { releasever: '12', repos: [{ id: 'e2e', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, gpgcheck: false }] } },
        cloud: { ec2: { devRoot, byIdDir, nodeTimeoutMs: 10_000, attachTimeoutMs: 8_000, maxAttempts: 4 } },
      }),
    );
  });
  after(async () => {
    server?.close();
    await endpoint.stop();
    const left = mountsBelow(scratch);
    removeTreeSafely(scratch);
    assert.deepEqual(left, []);
  });

  it('bakes hello: AMI from the newest owner-pinned base, tagged, shared, copied to a second region; its snapshot has a working /usr/bin/hello', async () => {
    const deprecateAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const result = await aminate(
      bakeArgs(
        '--suffix',
        'e2e',
        '--tag',
        'team=platform',
        '--share-with',
        '444455556666',
        '--copy-to-region',
        'eu-west-1',
        '--deprecate-at',
        deprecateAt,
        'hello',
      ),
    );
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const last = jsonLines(result.stdout).at(-1) ?? {};
    assert.equal(last.status, 'succeeded');
    assert.equal(last.image.cloud, 'ec2');
    assert.match(last.image.name, /^hello-[\w.]+-\w+-amd64-e2e$/);
    const ownLoops = jsonLines(result.stdout).filter((e) => e.type === 'resource' && e.step === 'mount-volume' && e.resource?.kind === 'loop-device');
    assert.deepEqual(ownLoops, [], 'the partition node the instance shows (xvdf1) is used as it is');
    const { Images: [image] = [] } = await client().send(new DescribeImagesCommand({ ImageIds: [last.image.id] }));
    const tags = Object.fromEntries((image?.Tags ?? []).map((t) => [t.Key, t.Value]));
    const base = [...endpoint.world.images.values()].find((i) => i.name === 'debian-12-base-20261101');
    assert.equal(tags.base_ami_id, base?.id, 'the newest image of the pinned owner, not the newer impostor');
    assert.equal(tags.base_ami_name, 'debian-12-base-20261101');
    assert.equal(tags.appversion, `hello-${last.package.version}-${last.package.release}`);
    assert.equal(tags.team, 'platform');
    assert.ok(tags.creator && tags.creation_time);
    assert.equal(image?.ImdsSupport, 'v2.0');
    assert.equal(image?.BootMode, 'uefi-preferred');
    assert.equal(image?.RootDeviceName, '/dev/xvda');
    assert.deepEqual(
      image?.BlockDeviceMappings?.map((m) => m.DeviceName),
      ['/dev/xvda', '/dev/sdb'],
      "the base image's other mappings are kept",
    );
    assert.equal(image?.DeprecationTime, deprecateAt.replace(/\.\d{3}Z$/, '.000Z'));
    const permissions = await client().send(new DescribeImageAttributeCommand({ ImageId: last.image.id, Attribute: 'launchPermission' }));
    assert.deepEqual(
      permissions.LaunchPermissions?.map((p) => p.UserId),
      ['444455556666'],
    );
    const copy = last.image.copies?.[0];
    assert.equal(copy?.region, 'eu-west-1');
    const { Images: [copied] = [] } = await client('eu-west-1').send(new DescribeImagesCommand({ ImageIds: [copy.id] }));
    assert.equal(copied?.Name, last.image.name);
    assert.equal(Object.fromEntries((copied?.Tags ?? []).map((t) => [t.Key, t.Value])).appversion, tags.appversion);
    const snapshot = endpoint.world.snapshots.get(image?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '');
    assert.ok(snapshot);
    await withDiskMounted(snapshot.file, (root) => {
      assert.match(sh('chroot', [root, '/usr/bin/hello']), /Hello, world!/);
      assert.equal(readFileSync(join(root, 'etc/debian_version'), 'utf8').length > 0, true);
      assert.equal(existsSync(join(root, 'usr/sbin/policy-rc.d')), false, 'the service blocker is gone from the image');
    });
    assert.deepEqual(endpoint.leftovers({ keepImages: [last.image.id, copy.id] }), { volumes: [], snapshots: [], images: [] });
    assertNoLeaks(host, { within: [scratch] });
    for (const id of [last.image.id]) endpoint.world.images.delete(id);
    for (const id of [copy.id]) endpoint.world.images.delete(id);
    for (const s of [...endpoint.world.snapshots.values()].filter((s) => s.volumeId !== 'vol-ffffffff')) endpoint.world.snapshots.delete(s.id);
  });

  it('bakes an .rpm from a dnf repository with ec2_yum_linux, on an instance whose volumes appear as NVMe by-id links', async () => {
    endpoint.world.devices.style = 'nvme';
    try {
      const result = await aminate([
        '-e',
        'ec2_yum_linux',
        '--json',
        'bake',
        '--base-image-name',
        'debian-dnf-base',
        '--base-image-owner',
        OWNER,
        '--suffix',
        'rpm',
        'e2e-rpm',
      ]);
      assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
      const last = jsonLines(result.stdout).at(-1) ?? {};
      assert.equal(last.image.name, 'e2e-rpm-4.2-7-noarch-rpm');
      const { Images: [image] = [] } = await client().send(new DescribeImagesCommand({ ImageIds: [last.image.id] }));
      const snapshot = endpoint.world.snapshots.get(image?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '');
      await withDiskMounted(snapshot?.file ?? '', (root) => assert.equal(readFileSync(join(root, 'usr/share/e2e-rpm/VERSION'), 'utf8'), '4.2\n'));
      assert.deepEqual(endpoint.leftovers({ keepImages: [last.image.id] }), { volumes: [], snapshots: [], images: [] });
      endpoint.world.images.delete(last.image.id);
      for (const s of [...endpoint.world.snapshots.values()].filter((s) => s.volumeId !== 'vol-ffffffff')) endpoint.world.snapshots.delete(s.id);
      assertNoLeaks(host, { within: [scratch] });
    } finally {
      endpoint.world.devices.style = 'xen';
    }
  });

  it('a name already taken is a clear error before any volume (pinned version, given suffix); --force replaces it', async () => {
    const first = await aminate(bakeArgs('--suffix', 'dup', 'hello=2.10-3'));
    assert.equal(first.code, 0, first.stderr + first.stdout.slice(-2000));
    const firstId = jsonLines(first.stdout).at(-1)?.image.id;
    const volumesBefore = endpoint.callsOf('CreateVolume');
    const again = await aminate(bakeArgs('--suffix', 'dup', 'hello=2.10-3'));
    assert.equal(again.code, 2, again.stdout.slice(-2000));
    assert.equal(jsonLines(again.stdout).at(-1)?.error?.code, 'E_IMAGE_EXISTS');
    assert.equal(endpoint.callsOf('CreateVolume'), volumesBefore, 'refused before any volume was made');
    const forced = await aminate(bakeArgs('--suffix', 'dup', '--force', 'hello=2.10-3'));
    assert.equal(forced.code, 0, forced.stderr + forced.stdout.slice(-2000));
    const forcedId = jsonLines(forced.stdout).at(-1)?.image.id;
    assert.equal(endpoint.world.images.get(firstId)?.state, 'deregistered');
    assert.deepEqual(endpoint.leftovers({ keepImages: [forcedId] }).images, []);
    for (const id of [firstId, forcedId]) endpoint.world.images.delete(id);
    for (const s of [...endpoint.world.snapshots.values()].filter((s) => s.volumeId !== 'vol-ffffffff')) endpoint.world.snapshots.delete(s.id);
    sameAsBefore();
  });

  it('refuses bad input before any call that changes anything', async () => {
    const before = endpoint.calls.length;
    const noOwner = await aminate(['-e', 'ec2_apt_linux', 'bake', '--base-image-name', 'debian-12-base-*', 'hello']);
    assert.equal(noOwner.code, 2);
    assert.match(noOwner.stderr, /E_OWNER_REQUIRED[\s\S]*--base-image-owner/);
    const badSuffix = await aminate(bakeArgs('--suffix', 'a/../b', 'hello'));
    assert.equal(badSuffix.code, 2);
    assert.equal(endpoint.calls.length, before, 'no API call at all');
    const small = await aminate(bakeArgs('--volume-size', '1', 'hello'));
    assert.equal(small.code, 2, small.stdout);
    assert.match(small.stdout, /smaller than the base image/);
    assert.deepEqual(
      endpoint.calls
        .slice(before)
        .map((c) => c.action)
        .filter((a) => a !== 'DescribeImages'),
      [],
      'only the base image lookup',
    );
    sameAsBefore();
  });

  const faults: Array<{ name: string; arm: () => void; disarm?: () => void; code: string; args?: string[]; options?: CliOptions; exit?: number }> = [
    {
      name: 'CreateVolume error',
      arm: () => endpoint.world.faults.failNext.push({ action: 'CreateVolume', code: 'InsufficientVolumeCapacity', times: 1 }),
      code: 'E_EC2_API',
      exit: 75,
    },
    {
      name: 'an attachment that never completes',
      arm: () => {
        endpoint.world.faults.attachNeverCompletes = true;
      },
      disarm: () => {
        endpoint.world.faults.attachNeverCompletes = false;
      },
      code: 'E_TIMEOUT',
    },
    {
      name: 'a throttling storm',
      arm: () => endpoint.world.faults.failNext.push({ action: '*', code: 'RequestLimitExceeded', status: 503, times: 14, startAfter: 'CreateVolume' }),
      code: 'E_EC2_API',
      exit: 75,
      disarm: () => {
        endpoint.world.faults.failNext.length = 0;
      },
    },
    {
      name: 'a snapshot that errors',
      arm: () => {
        endpoint.world.faults.snapshotFails = true;
      },
      disarm: () => {
        endpoint.world.faults.snapshotFails = false;
      },
      code: 'E_SNAPSHOT_FAILED',
    },
    {
      // Renewed every second; two denials in a row and the next turn would come after the lease's end.
      name: 'a lease that cannot be renewed (CreateTags denied from the volume on, --lease-seconds 3): the bake stops itself with E_LEASE_LOST',
      arm: () => endpoint.world.faults.failNext.push({ action: 'CreateTags', code: 'UnauthorizedOperation', status: 403, times: 1_000 }),
      disarm: () => {
        endpoint.world.faults.failNext.length = 0;
      },
      code: 'E_LEASE_LOST',
      exit: 75,
      args: ['--lease-seconds', '3'],
    },
    {
      name: 'a RegisterImage error',
      arm: () => endpoint.world.faults.failNext.push({ action: 'RegisterImage', code: 'InvalidBlockDeviceMapping', times: 1 }),
      code: 'E_EC2_API',
    },
    {
      name: 'SIGINT during the install',
      arm: () => undefined,
      code: 'E_INTERRUPTED',
      exit: 130,
      options: { signalOn: { when: '"step":"provision"', signal: 'SIGINT', delayMs: 800 } },
    },
  ];
  // Right after each create, EC2 does not show the new id yet (CONSISTENCY): an error or a signal then
  // must still remove it, retrying the delete instead of taking NotFound for "already gone".
  const denied =
    (action: string, after: string): (() => void) =>
    () =>
      endpoint.world.faults.failNext.push({ action, code: 'UnauthorizedOperation', status: 403, times: 1, startAfter: after });
  const disarmAll = (): void => {
    endpoint.world.faults.failNext.length = 0;
  };
  const copyArgs = ['--copy-to-region', 'eu-west-1', '--share-with', '444455556666'];
  for (const [create, describe, args] of [
    ['CreateVolume', 'DescribeVolumes', []],
    ['CreateSnapshot', 'DescribeSnapshots', []],
    ['RegisterImage', 'DescribeImages', []],
    ['CopyImage', 'DescribeImages', copyArgs],
  ] as const) {
    faults.push({
      name: `an error right after ${create} (the new id not visible yet)`,
      arm: denied(describe, create),
      disarm: disarmAll,
      code: 'E_EC2_API',
      args: [...args],
    });
  }
  for (const kind of ['volume', 'snapshot', 'image'] as const) {
    faults.push({
      name: `SIGINT right after the ${kind} is created (not visible yet)`,
      arm: () => undefined,
      code: 'E_INTERRUPTED',
      exit: 130,
      options: { signalOn: { when: `"kind":"${kind}"`, signal: 'SIGINT' } },
    });
  }
  for (const fault of faults) {
    it(`${fault.name}: a clear error, non-zero exit, nothing left at the endpoint or on the host`, async () => {
      fault.arm();
      try {
        const result = await aminate(bakeArgs(...(fault.args ?? []), 'hello'), fault.options);
        const last = jsonLines(result.stdout).at(-1) ?? {};
        assert.equal(result.code, fault.exit ?? 1, result.stderr + result.stdout.slice(-2000));
        assert.equal(last.error?.code, fault.code, JSON.stringify(last.error));
        assert.ok(last.error?.step, 'the error names the step');
      } finally {
        fault.disarm?.();
      }
      sameAsBefore();
    });
  }
});
