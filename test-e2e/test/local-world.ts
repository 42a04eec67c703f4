import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileLockManager } from '@aminator/core/internal';
import { hostDebianMirror, hostDebianSuite } from '@aminator/linux-host';
import { type ImageManifest, LocalImageStore, newImageId } from '@aminator/local-store';
import { type CliOptions, type CliResult, runCli } from '@aminator/testkit';
import { assertNoLeaks, debootstrapTarball, type HostSnapshot, makeDiskImage, mountsBelow, removeTreeSafely, snapshotHost } from '@aminator/testkit/linux';
import type { MatrixCloud } from './fault-matrix.js';
import { buildDeb } from './fixtures.js';

export const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'packages', 'core-bin', 'bin', 'aminate.js');
const GiB = 1024 ** 3;

/** A scratch local cloud: a store with a Debian base image (from the cached debootstrap tree), its own work root and locks. */
export interface LocalWorld {
  readonly scratch: string;
  readonly store: string;
  readonly locks: string;
  readonly work: string;
  readonly config: string;
  aminate(args: readonly string[], options?: CliOptions): Promise<CliResult>;
  /** Ids of the complete images in the store. */
  images(): string[];
  /** No volume file, half image, lock or mount of a bake; no loop device or mount of the host leaked. */
  assertNothingLeft(): void;
  close(): void;
}

export interface LocalWorldOptions {
  /** The base image's Debian architecture (default amd64, the host's); another one runs through binfmt_misc. */
  readonly arch?: string;
}

export async function openLocalWorld(prefix: string, options: LocalWorldOptions = {}): Promise<LocalWorld> {
  const host: HostSnapshot = snapshotHost();
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  const store = join(scratch, 'store');
  const locks = join(scratch, 'locks');
  const work = join(scratch, 'work');
  const config = join(scratch, 'aminator.config.json');
  writeFileSync(config, JSON.stringify({ workRoot: work, lockDir: locks, cloud: { local: { store, baseImage: 'debian-base' } } }));
  await seedBase(store, locks, options.arch ?? 'amd64');
  const images = (): string[] => readdirSync(join(store, 'images')).filter((d) => !d.startsWith('.'));
  return {
    scratch,
    store,
    locks,
    work,
    config,
    images,
    aminate: (args, options = {}) => runCli(bin, ['-c', config, ...args], { cwd: scratch, ...options }),
    assertNothingLeft: () => {
      assert.deepEqual(readdirSync(join(store, 'volumes')), [], 'no working volume left');
      assert.deepEqual(
        readdirSync(join(store, 'images')).filter((d) => d.startsWith('.tmp-')),
        [],
        'no half-made image',
      );
      assert.deepEqual(existsSync(locks) ? readdirSync(locks) : [], [], 'no lock left');
      assert.deepEqual(mountsBelow(work), [], 'nothing mounted under the work root');
      assertNoLeaks(host, { within: [scratch] });
    },
    close: () => {
      const left = mountsBelow(scratch);
      removeTreeSafely(scratch);
      assert.deepEqual(left, []);
    },
  };
}

/** `debian-base`: GPT, ext4, 1 GiB, the host's Debian suite — what `aminate foundation` makes, without debootstrapping again. */
async function seedBase(storeDir: string, lockDir: string, architecture: string): Promise<void> {
  const suite = hostDebianSuite() ?? 'bookworm';
  const mirror = hostDebianMirror() ?? assert.fail('no Debian mirror in the host apt sources');
  const tarball = debootstrapTarball({ suite, mirror, ...(architecture === 'amd64' ? {} : { arch: architecture }) });
  const store = new LocalImageStore(storeDir);
  await store.ensure();
  const id = newImageId();
  const locks = new FileLockManager(lockDir, 'seed');
  const stage = await store.stage(id, locks);
  makeDiskImage(join(stage.dir, 'disk.raw'), { sizeBytes: GiB, table: 'gpt', fs: 'ext4', rootTarball: tarball });
  const manifest: ImageManifest = {
    id,
    name: 'debian-base',
    description: 'e2e base',
    tags: {},
    createdAt: new Date().toISOString(),
    sizeBytes: GiB,
    architecture,
    os: { family: 'debian', release: suite },
    layout: { partitionTable: 'gpt', rootPartition: 1, fsType: 'ext4' },
  };
  await store.publish(stage.dir, manifest, locks);
  await stage.release();
}

/** The local cloud as the fault matrix drives it: bakes of a local .deb with a suffix per cell. */
export async function openLocalMatrixCloud(name: string, prefix: string, options: LocalWorldOptions = {}): Promise<{ cloud: MatrixCloud; close: () => void }> {
  const world = await openLocalWorld(prefix, options);
  const deb = buildDeb(world.scratch, 'fault-app');
  return {
    cloud: {
      name,
      bake: (suffix, bakeOptions) => world.aminate(['--json', 'bake', '--suffix', suffix, deb], bakeOptions),
      cleanup: () => world.aminate(['--json', 'cleanup']),
      images: () => world.images(),
      assertNothingLeft: () => world.assertNothingLeft(),
    },
    close: () => world.close(),
  };
}
