import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSize, imageManifestSchema, parseSize } from '../src/index.js';

const MiB = 1024 * 1024;

describe('local store values (no root needed)', () => {
  it('sizes: parses binary units, refuses the rest, prints them back', () => {
    assert.equal(parseSize('s', '2G'), 2 * 1024 ** 3);
    assert.equal(parseSize('s', '512m'), 512 * MiB);
    assert.equal(parseSize('s', 4096), 4096);
    for (const bad of ['', '0', '-1G', '1.5G', '2X', '1G; rm -rf /', '99999999999999999T'])
      assert.throws(() => parseSize('s', bad), { code: 'E_INVALID_INPUT' }, bad);
    assert.equal(formatSize(2 * 1024 ** 3), '2G');
    assert.equal(formatSize(1536 * MiB), '1.5G');
    assert.equal(formatSize(1000), '1000');
  });

  it('a manifest names an image by a name and an id of the store, nothing else', () => {
    const good = {
      id: 'img-0123456789ab',
      name: 'debian-12',
      createdAt: new Date().toISOString(),
      sizeBytes: MiB,
      layout: { partitionTable: 'gpt', rootPartition: 1, fsType: 'ext4' },
    };
    assert.equal(imageManifestSchema.safeParse(good).success, true, JSON.stringify(imageManifestSchema.safeParse(good).error?.issues));
    for (const bad of [{ name: '../etc' }, { name: 'a b' }, { id: 'img-../x' }, { id: 'ami-0123' }]) {
      assert.equal(imageManifestSchema.safeParse({ ...good, ...bad }).success, false, JSON.stringify(bad));
    }
  });
});
