import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostDebianMirror, hostDebianSuite } from '@aminator/linux-host';
import { type CliOptions, type CliResult, runCli } from '@aminator/testkit';
import { Ec2TestEndpoint } from '@aminator/testkit/ec2';
import { assertNoLeaks, debootstrapTarball, type HostSnapshot, makeDiskImage, mountsBelow, removeTreeSafely, snapshotHost } from '@aminator/testkit/linux';
import { bin } from './local-world.js';

const GiB = 1024 ** 3;
export const OWNER = '136693071363';
/** EC2's eventual consistency as the e2e runs see it: each new volume, snapshot and image answers NotFound for 2 s. */
export const CONSISTENCY = { volume: 2_000, snapshot: 2_000, image: 2_000 } as const;

/** A scratch EC2 test endpoint with one owner-pinned Debian base image, and a config pointing aminate at it. */
export interface Ec2World {
  readonly scratch: string;
  readonly endpoint: Ec2TestEndpoint;
  readonly work: string;
  aminate(args: readonly string[], options?: CliOptions): Promise<CliResult>;
  /** `-e ec2_apt_linux --json bake` from the pinned base, with `rest` after it. */
  bakeArgs(...rest: string[]): string[];
  /** Nothing of a bake at the endpoint (but `keptImages`), no mount under the work root, no host leak. */
  assertNothingLeft(keptImages?: readonly string[]): void;
  close(): Promise<void>;
}

/** A started endpoint (EC2's consistency on), a scratch directory, and a 2 GiB Debian disk to seed images from. */
export async function openEndpointWithDebianDisk(prefix: string): Promise<{ host: HostSnapshot; scratch: string; endpoint: Ec2TestEndpoint; disk: string }> {
  const host: HostSnapshot = snapshotHost();
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  const endpoint = new Ec2TestEndpoint({ dir: join(scratch, 'endpoint'), consistency: CONSISTENCY });
  await endpoint.start();
  const debian = { suite: hostDebianSuite() ?? 'bookworm', mirror: hostDebianMirror() ?? assert.fail('no Debian mirror in the host apt sources') };
  const disk = join(scratch, 'debian.raw');
  makeDiskImage(disk, { sizeBytes: 2 * GiB, table: 'gpt', fs: 'ext4', rootTarball: debootstrapTarball(debian) });
  return { host, scratch, endpoint, disk };
}

/** Stop the endpoint and remove the scratch directory; a mount left below it fails the test. */
export async function closeEndpointWorld(endpoint: Ec2TestEndpoint, scratch: string): Promise<void> {
  await endpoint.stop();
  const left = mountsBelow(scratch);
  removeTreeSafely(scratch);
  assert.deepEqual(left, []);
}

export async function openEc2World(prefix: string): Promise<Ec2World> {
  const { host, scratch, endpoint, disk } = await openEndpointWithDebianDisk(prefix);
  endpoint.seedImage({ name: 'debian-12-base-20261101', ownerId: OWNER, disk, sizeGiB: 2, creationDate: '2026-11-01T00:00:00.000Z' });
  const work = join(scratch, 'work');
  const config = join(scratch, 'aminator.config.json');
  const { devRoot, byIdDir } = endpoint.world.devices;
  writeFileSync(
    config,
    JSON.stringify({
      environment: 'ec2_apt_linux',
      workRoot: work,
      lockDir: join(scratch, 'locks'),
      cloud: {
        ec2: { devRoot, byIdDir, nodeTimeoutMs: 10_000, attachTimeoutMs: 8_000, maxAttempts: 4, baseImageName: 'debian-12-base-*', baseImageOwner: OWNER },
      },
    }),
  );
  return {
    scratch,
    endpoint,
    work,
    aminate: (args, options = {}) => runCli(bin, ['-c', config, ...args], { cwd: scratch, ...options, env: { ...endpoint.env, ...options.env } }),
    bakeArgs: (...rest) => ['-e', 'ec2_apt_linux', '--json', 'bake', ...rest],
    assertNothingLeft: (keptImages = []) => {
      assert.deepEqual(
        endpoint.leftovers({ keepImages: keptImages }),
        { volumes: [], snapshots: [], images: [] },
        'nothing of the bake is left at the endpoint',
      );
      assert.deepEqual(mountsBelow(work), []);
      assertNoLeaks(host, { within: [scratch] });
    },
    close: () => closeEndpointWorld(endpoint, scratch),
  };
}
