import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Cloud, COMMAND_RUNNER, FileLockManager, ProcessCommandRunner } from '@aminator/core/internal';
import { type ImageManifest, LocalImageStore, newImageId } from '@aminator/local-store';
import { createTestStepContext, describePluginConformance, ROOT_ONLY } from '@aminator/testkit';
import { assertNoLeaks, type HostSnapshot, makeDiskImage, sh, snapshotHost, withOwnFileSystem } from '@aminator/testkit/linux';
import plugin, { LocalCloud, localConfigSchema } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MiB = 1024 * 1024;
const scratch = mkdtempSync(join(tmpdir(), 'aminator-cloud-local-test-'));
const log = createTestStepContext().ctx.log;
const commands = new ProcessCommandRunner(log);
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Put a small real image (ext4 on a whole disk) into a store through stage → publish. */
async function seedImage(store: LocalImageStore, name: string, sizeBytes = 16 * MiB): Promise<ImageManifest> {
  await store.ensure();
  const id = newImageId();
  const staged = (await store.stage(id, new FileLockManager(join(store.dir, '..', 'locks'), 'seed'))).dir;
  makeDiskImage(join(staged, 'disk.raw'), { sizeBytes, table: 'none', fs: 'ext4', files: { '/etc/marker': `${name}\n` } });
  const manifest: ImageManifest = {
    id,
    name,
    description: 'test',
    tags: {},
    createdAt: new Date().toISOString(),
    sizeBytes,
    architecture: 'amd64',
    layout: { partitionTable: 'none', fsType: 'ext4' },
  };
  await store.publish(staged, manifest, new FileLockManager(join(store.dir, '..', 'locks'), 'seed'));
  return manifest;
}

const conformanceStore = new LocalImageStore(join(scratch, 'conformance', 'store'));
let conformanceHost: HostSnapshot;
describePluginConformance(plugin, {
  packageDir,
  config: { store: conformanceStore.dir },
  invalidConfigs: [{ store: 'relative/dir' }, { store: '/var/../etc' }, { volumeSize: '2 GB; rm' }, { unknown: 1 }],
  services: (c) => c.register(COMMAND_RUNNER, { useValue: commands }),
  lifecycle: async (cloud: Cloud, t) => {
    conformanceHost = snapshotHost();
    if (!(await conformanceStore.find('conformance-base'))) await seedImage(conformanceStore, 'conformance-base');
    const base = await cloud.resolveBaseImage('conformance-base', { runId: 't', log: t.ctx.log, dryRun: false } as never);
    const volume = await cloud.createVolume(base, t.ctx);
    const attachment = await cloud.attachVolume(volume, t.ctx);
    assert.match(attachment.device, /^\/dev\/loop\d+$/);
  },
  crashRecovery: true,
  lifecycleNeedsRoot: true,
  assertReleased: () => {
    assert.deepEqual(readdirSync(conformanceStore.volumesDir), []);
    assertNoLeaks(conformanceHost, { within: [scratch] });
  },
});

describe('local image store', ROOT_ONLY, () => {
  const store = new LocalImageStore(join(scratch, 'store'));
  const locks = new FileLockManager(join(scratch, 'locks'), 'test');

  it('publishes an image atomically and finds it by id and by name; staged and broken entries are not images', async () => {
    const image = await seedImage(store, 'base-one');
    assert.equal((await store.get(image.id)).name, 'base-one');
    assert.equal((await store.get('base-one')).id, image.id);
    await store.stage(newImageId(), locks);
    mkdirSync(join(store.imagesDir, newImageId()));
    const broken = newImageId();
    mkdirSync(join(store.imagesDir, broken));
    writeFileSync(join(store.imagesDir, broken, 'image.json'), '{"id": "not this"');
    assert.deepEqual(
      (await store.list()).map((i) => i.name),
      ['base-one'],
    );
  });

  it('refuses a second image of the same name unless replacing, and replacing leaves one', async () => {
    const first = await seedImage(store, 'dup');
    const staged = (await store.stage(newImageId(), locks)).dir;
    const id = staged.split('.tmp-')[1] ?? '';
    writeFileSync(join(staged, 'disk.raw'), '');
    const manifest = { ...first, id };
    await assert.rejects(store.publish(staged, manifest, locks), { code: 'E_IMAGE_EXISTS' });
    await store.publish(staged, manifest, locks, { replace: true });
    const named = (await store.list()).filter((i) => i.name === 'dup');
    assert.deepEqual(
      named.map((i) => i.id),
      [id],
    );
    assert.equal(existsSync(join(store.imagesDir, first.id)), false);
  });

  it('publishes durably: the manifest, the other small files and both directories reach the device before the image is listed', async () => {
    // A store on an ext4 of its own (barriers on): each fsync commits the journal with a flush of
    // the device. Without them publish would leave all of it in the cache.
    await withOwnFileSystem(join(scratch, 'durable'), 64 * MiB, async ({ mountPoint, counters }) => {
      const durable = new LocalImageStore(join(mountPoint, 'store'));
      await durable.ensure();
      const durableLocks = new FileLockManager(join(mountPoint, 'locks'), 'test');
      const id = newImageId();
      const staged = (await durable.stage(id, durableLocks)).dir;
      writeFileSync(join(staged, 'disk.raw'), '');
      writeFileSync(join(staged, 'sbom.cdx.json'), '{}\n');
      sh('sync', ['--file-system', mountPoint]);
      const before = counters().flushes;
      await durable.publish(
        staged,
        {
          id,
          name: 'durable',
          description: 'test',
          tags: {},
          createdAt: new Date().toISOString(),
          sizeBytes: MiB,
          layout: { partitionTable: 'none', fsType: 'ext4' },
        },
        durableLocks,
      );
      const during = counters().flushes - before;
      assert.ok(during >= 2, `publish flushed the device ${during} times (the files, then the directories)`);
      assert.equal((await durable.get('durable')).id, id);
    });
  });

  it('refuses names and ids that are not names or ids, and says how to find images', async () => {
    await assert.rejects(store.get('../etc'), { code: 'E_INVALID_INPUT' });
    await assert.rejects(store.get('-rf'), { code: 'E_INVALID_INPUT' });
    await assert.rejects(
      store.get('nothing-here'),
      (e: any) => e.code === 'E_IMAGE_NOT_FOUND' && e.exitCode === 2 && /aminate images list/.test(e.suggestions.join()),
    );
    assert.throws(() => store.volumePath('../../etc/passwd'), { code: 'E_INVALID_INPUT' });
  });

  it('refuses a store whose directories are symlinks', async () => {
    const target = join(scratch, 'elsewhere');
    mkdirSync(target);
    const linked = join(scratch, 'linked-store');
    mkdirSync(linked);
    symlinkSync(target, join(linked, 'images'));
    await assert.rejects(new LocalImageStore(linked).ensure(), { code: 'E_STORE_UNSAFE' });
  });
});

describe('local cloud on real loop devices', ROOT_ONLY, () => {
  const store = new LocalImageStore(join(scratch, 'cloud-store'));
  const locks = new FileLockManager(join(scratch, 'cloud-locks'), 'test');
  let host: HostSnapshot;
  before(() => {
    host = snapshotHost();
  });
  after(() => assertNoLeaks(host, { within: [scratch] }));

  const cloudWith = (config: Record<string, unknown>): LocalCloud =>
    new LocalCloud(localConfigSchema.parse({ store: store.dir, ...config }), store, commands, locks);

  it('a working volume is a sparse copy, grown to --volume-size, attached as a loop device; undo removes both', async () => {
    const image = await seedImage(store, 'cloud-base', 64 * MiB);
    const cloud = cloudWith({ volumeSize: '96M' });
    const t = createTestStepContext();
    const base = await cloud.resolveBaseImage('cloud-base', t.ctx as never);
    assert.equal(base.id, image.id);
    const volume = await cloud.createVolume(base, t.ctx);
    const file = store.volumePath(volume.id);
    assert.equal(volume.sizeBytes, 96 * MiB);
    assert.equal(statSync(file).size, 96 * MiB);
    assert.ok(statSync(file).blocks * 512 < 32 * MiB, 'the copy stays sparse');
    const attachment = await cloud.attachVolume(volume, t.ctx);
    assert.equal(sh('blkid', ['-o', 'value', '-s', 'TYPE', attachment.device]).trim(), 'ext4');
    const report = await t.stack.unwind({ reason: 'success' });
    assert.deepEqual(report.errors, []);
    assert.equal(existsSync(file), false);
    assert.equal(sh('losetup', ['--list', '--noheadings', '--output', 'NAME']).includes(attachment.device), false);
  });

  it('without a base image it is a usage error that says how to get one', async () => {
    await assert.rejects(
      cloudWith({}).resolveBaseImage(undefined, {} as never),
      (e: any) => e.exitCode === 2 && /aminate foundation/.test(e.suggestions.join()),
    );
  });
});
