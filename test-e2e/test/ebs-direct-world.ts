import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlockFile, EBS_BLOCK_BYTES } from '@aminator/aws-ec2';
import { type CliOptions, type CliResult, runCli } from '@aminator/testkit';
import type { Ec2TestEndpoint } from '@aminator/testkit/ec2';
import { assertNoLeaks, mountsBelow, sh } from '@aminator/testkit/linux';
import { EBSClient, GetSnapshotBlockCommand, ListSnapshotBlocksCommand } from '@aws-sdk/client-ebs';
import { closeEndpointWorld, OWNER, openEndpointWithDebianDisk } from './ec2-world.js';
import { bin } from './local-world.js';

/** A scratch EC2 + EBS direct endpoint with a public Debian base AMI (a vendor's), no IMDS, and aminate pointed at it. */
export interface EbsDirectWorld {
  readonly scratch: string;
  readonly endpoint: Ec2TestEndpoint;
  readonly cacheDir: string;
  readonly baseSnapshot: string;
  readonly config: string;
  /** What aminate runs with to reach the endpoint (and no instance metadata). */
  readonly env: Record<string, string>;
  aminate(args: readonly string[], options?: CliOptions): Promise<CliResult>;
  /** `-e ebsdirect_apt_linux --json bake` from the public base, with `rest` after it. */
  bakeArgs(...rest: string[]): string[];
  /** Snapshots this account made besides the base's copy and `kept` images' snapshots. */
  strayDirectSnapshots(keptImages?: readonly string[]): string[];
  /** Nothing of a bake at the endpoint (the base copy is kept on purpose), no partial cache file, no working copy, no host leak. */
  assertNothingLeft(keptImages?: readonly string[]): void;
  close(): Promise<void>;
}

export async function openEbsDirectWorld(prefix: string): Promise<EbsDirectWorld> {
  const { host, scratch, endpoint, disk } = await openEndpointWithDebianDisk(prefix);
  const base = endpoint.seedImage({ name: 'debian-12-public-20261101', ownerId: OWNER, disk, sizeGiB: 2, public: true });
  const work = join(scratch, 'work');
  const cacheDir = join(scratch, 'cache');
  const config = join(scratch, 'aminator.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      environment: 'ebsdirect_apt_linux',
      workRoot: work,
      lockDir: join(scratch, 'locks'),
      cloud: { ebsdirect: { cacheDir, maxAttempts: 4, baseImageName: 'debian-12-public-*', baseImageOwner: OWNER } },
    }),
  );
  // No instance: IMDS is switched off and points nowhere, so any use of it would fail the bake.
  const noImds = { AWS_EC2_METADATA_DISABLED: 'true', AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9' };
  const baseCopies = (): string[] => [...endpoint.world.snapshots.values()].filter((s) => s.tags.purpose === 'aminator-base-copy').map((s) => s.id);
  const strayDirectSnapshots = (keptImages: readonly string[] = []): string[] => {
    const keep = new Set(baseCopies());
    return endpoint.leftovers({ keepImages: keptImages }).snapshots.filter((id) => !keep.has(id));
  };
  return {
    scratch,
    endpoint,
    cacheDir,
    baseSnapshot: base.blockDeviceMappings[0]?.ebs?.snapshotId ?? '',
    config,
    env: { ...endpoint.env, ...noImds },
    aminate: (args, options = {}) => runCli(bin, ['-c', config, ...args], { cwd: scratch, ...options, env: { ...endpoint.env, ...noImds, ...options.env } }),
    bakeArgs: (...rest) => ['-e', 'ebsdirect_apt_linux', '--json', 'bake', ...rest],
    strayDirectSnapshots,
    assertNothingLeft: (keptImages = []) => {
      const left = endpoint.leftovers({ keepImages: keptImages });
      assert.deepEqual(
        { ...left, snapshots: strayDirectSnapshots(keptImages) },
        { volumes: [], snapshots: [], images: [] },
        'nothing of the bake is left at the endpoint',
      );
      assert.ok(baseCopies().length <= 1, `one copy of the base at most: ${baseCopies().join(', ')}`);
      const cacheFiles = existsSync(cacheDir) ? readdirSync(cacheDir).filter((n) => n.includes('.partial-')) : [];
      assert.deepEqual(cacheFiles, [], 'no half-written cache file');
      const working = existsSync(join(cacheDir, 'work')) ? readdirSync(join(cacheDir, 'work')) : [];
      assert.deepEqual(working, [], 'no working copy');
      assert.deepEqual(mountsBelow(work), []);
      assertNoLeaks(host, { within: [scratch] });
    },
    close: () => closeEndpointWorld(endpoint, scratch),
  };
}

/** A snapshot at the endpoint read back block by block through the EBS direct API (client-ebs over HTTP) into a file in `dir`. */
export async function readSnapshotBack(endpoint: Ec2TestEndpoint, dir: string, snapshotId: string, sizeGiB: number): Promise<string> {
  const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' };
  const ebs = new EBSClient({ region: 'us-east-1', endpoint: endpoint.url, credentials });
  const file = join(dir, `${snapshotId}.readback.raw`);
  writeFileSync(file, '');
  sh('truncate', ['--size', String(sizeGiB * 1024 ** 3), file]);
  const out = new BlockFile(file, 'r+');
  try {
    let NextToken: string | undefined;
    do {
      const page = await ebs.send(new ListSnapshotBlocksCommand({ SnapshotId: snapshotId, NextToken }));
      for (const block of page.Blocks ?? []) {
        const got = await ebs.send(new GetSnapshotBlockCommand({ SnapshotId: snapshotId, BlockIndex: block.BlockIndex, BlockToken: block.BlockToken }));
        out.write(block.BlockIndex ?? 0, (await got.BlockData?.transformToByteArray()) ?? new Uint8Array(EBS_BLOCK_BYTES));
      }
      NextToken = page.NextToken;
    } while (NextToken);
  } finally {
    out.close();
    ebs.destroy();
  }
  return file;
}
