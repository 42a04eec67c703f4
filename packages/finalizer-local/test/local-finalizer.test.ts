import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { toBaseImage } from '@aminator/cloud-local';
import { type BakePlan, type BaseImage, FileLockManager, type FinalizeInput, type Finalizer, LOCK_MANAGER } from '@aminator/core/internal';
import { type ImageManifest, LOCAL_STORE, LocalImageStore, newImageId, newVolumeId } from '@aminator/local-store';
import { createTestStepContext, describePluginConformance } from '@aminator/testkit';
import plugin, { finalizerConfigSchema, LocalFinalizer, parseTags, timestampSuffix } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'aminator-finalizer-local-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const locks = new FileLockManager(join(scratch, 'locks'), 'test');
const pkg = { name: 'hello', version: '2.10', release: '3', arch: 'amd64' };

/** A store with a base image, and a working volume file as the cloud would have left it. */
async function storeWithBase(name: string): Promise<{ store: LocalImageStore; base: BaseImage }> {
  const store = new LocalImageStore(join(scratch, name));
  await store.ensure();
  const id = newImageId();
  const staged = (await store.stage(id, locks)).dir;
  writeFileSync(join(staged, 'disk.raw'), '');
  const manifest: ImageManifest = {
    id,
    name: 'base',
    description: '',
    tags: {},
    createdAt: new Date().toISOString(),
    sizeBytes: 1 << 20,
    architecture: 'amd64',
    os: { family: 'debian', release: 'bookworm' },
    layout: { partitionTable: 'gpt', rootPartition: 1, fsType: 'ext4' },
  };
  await store.publish(staged, manifest, locks);
  return { store, base: toBaseImage(manifest, store.dir) };
}

function newVolume(store: LocalImageStore, base: BaseImage): FinalizeInput['volume'] {
  const id = newVolumeId();
  writeFileSync(store.volumePath(id), `volume ${id}`);
  truncateSync(store.volumePath(id), 2 << 20);
  return { id, sizeBytes: 2 << 20, baseImageId: base.id };
}

const finalizerFor = (store: LocalImageStore, config: Record<string, unknown>): LocalFinalizer =>
  new LocalFinalizer(finalizerConfigSchema.parse(config), store, locks);
const input = (store: LocalImageStore, base: BaseImage): FinalizeInput => ({
  volume: newVolume(store, base),
  baseImage: base,
  package: pkg,
  environment: 'local_apt_linux',
});

const conformance = await storeWithBase('conformance');
describePluginConformance(plugin, {
  packageDir,
  config: { suffix: 'x', tags: ['team=platform'] },
  invalidConfigs: [{ suffix: 'a/b' }, { suffix: '' }, { creator: '$(id)' }, { force: 'yes' }, { other: 1 }],
  services: (c) => {
    c.register(LOCAL_STORE, { useValue: conformance.store });
    c.register(LOCK_MANAGER, { useValue: locks });
  },
  lifecycle: async (finalizer: Finalizer, t) => {
    const image = await finalizer.finalize(input(conformance.store, conformance.base), t.ctx);
    assert.ok(existsSync(join(conformance.store.imagesDir, image.id, 'image.json')));
  },
  assertReleased: async () => {
    assert.deepEqual(
      (await conformance.store.list()).map((i) => i.name),
      ['base'],
      'a failed bake removes the image it registered',
    );
    assert.deepEqual(
      readdirSync(conformance.store.imagesDir).filter((d) => d.startsWith('.tmp-')),
      [],
    );
  },
});

describe('local finalizer', () => {
  it('moves the volume into a new image named {name}-{version}-{release}-{arch}-{suffix}, with the manifest and tags', async () => {
    const { store, base } = await storeWithBase('naming');
    const t = createTestStepContext();
    const job = input(store, base);
    const inode = statSync(store.volumePath(job.volume.id)).ino;
    const image = await finalizerFor(store, { suffix: '202611260900', tags: ['team=platform', 'cost-center=42'], creator: 'ci@build' }).finalize(job, t.ctx);
    assert.equal(image.name, 'hello-2.10-3-amd64-202611260900');
    const manifest = JSON.parse(readFileSync(join(store.imagesDir, image.id, 'image.json'), 'utf8'));
    assert.equal(statSync(join(store.imagesDir, image.id, 'disk.raw')).ino, inode, 'moved, not copied');
    assert.equal(existsSync(store.volumePath(job.volume.id)), false);
    assert.equal(manifest.parentId, base.id);
    assert.deepEqual(manifest.package, pkg);
    assert.deepEqual(manifest.layout, { partitionTable: 'gpt', rootPartition: 1, fsType: 'ext4' });
    assert.deepEqual(
      { ...manifest.tags, creation_time: 'x' },
      {
        team: 'platform',
        'cost-center': '42',
        appversion: 'hello-2.10-3',
        base_image_id: base.id,
        base_image_name: 'base',
        creator: 'ci@build',
        creation_time: 'x',
      },
    );
    assert.equal(manifest.tags.creation_time, manifest.createdAt);
    assert.deepEqual(image.tags, manifest.tags);
    assert.deepEqual((await t.stack.unwind({ reason: 'success' })).errors, []);
    assert.ok(existsSync(join(store.imagesDir, image.id)), 'success keeps the image');
  });

  it('a duplicate name is an error before anything moves; --force replaces it without stacking suffixes', async () => {
    const { store, base } = await storeWithBase('duplicates');
    const first = await finalizerFor(store, { suffix: 'same' }).finalize(input(store, base), createTestStepContext().ctx);
    const job = input(store, base);
    await assert.rejects(
      finalizerFor(store, { suffix: 'same' }).finalize(job, createTestStepContext().ctx),
      (e: any) => e.code === 'E_IMAGE_EXISTS' && /--force/.test(e.suggestions.join()),
    );
    assert.ok(existsSync(store.volumePath(job.volume.id)), 'the volume was not taken');
    const second = await finalizerFor(store, { suffix: 'same', force: true }).finalize(job, createTestStepContext().ctx);
    assert.equal(second.name, first.name);
    assert.deepEqual(
      (await store.list()).filter((i) => i.name === first.name).map((i) => i.id),
      [second.id],
    );
  });

  it('the default suffix is UTC YYYYMMDDHHmm', async () => {
    assert.equal(timestampSuffix(new Date('2026-11-26T08:05:59Z')), '202611260805');
    const { store, base } = await storeWithBase('default-suffix');
    const image = await finalizerFor(store, {}).finalize(input(store, base), createTestStepContext().ctx);
    assert.match(image.name, /^hello-2\.10-3-amd64-\d{12}$/);
  });

  it('tags: key=value, a bare key is an empty value; hostile keys and values are refused before the bake', async () => {
    assert.deepEqual(parseTags(['a=b', 'k=', 'x=y=z']), { a: 'b', k: '', x: 'y=z' });
    for (const bad of ['k', '=v', 'k=$(id)', 'k=a;b', '-k=v', `k=${'v'.repeat(300)}`, 'k=\n'])
      assert.throws(() => parseTags([bad]), { code: 'E_INVALID_INPUT' }, bad);
    const { store, base } = await storeWithBase('preflight');
    const plan = { baseImage: base } as unknown as BakePlan;
    await assert.rejects(finalizerFor(store, { tags: ['k=`x`'] }).preflight(plan, createTestStepContext({ dryRun: true }).ctx), { code: 'E_INVALID_INPUT' });
  });
});
