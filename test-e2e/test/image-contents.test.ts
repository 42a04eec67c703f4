import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jsonLines, ROOT_ONLY } from '@aminator/testkit';
import { sh } from '@aminator/testkit/linux';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { buildDeb, cycloneDxPackages, dpkgQueryPackages, withDiskMounted } from './fixtures.js';
import { type LocalWorld, openLocalWorld } from './local-world.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * What is in every image, through the aminate CLI on real bakes: the SBOMs against what dpkg itself
 * lists in the image, the delta against the base's list, lineage and the CVE question across images.
 */
describe('image contents: SBOM, delta, lineage and package queries (local cloud, real bakes)', ROOT_ONLY, () => {
  let world: LocalWorld;
  let nginx: Record<string, any>;
  let app: Record<string, any>;
  const manifest = (id: string): Record<string, any> => JSON.parse(readFileSync(join(world.store, 'images', id, 'image.json'), 'utf8'));
  const disk = (id: string): string => join(world.store, 'images', id, 'disk.raw');
  const bake = async (args: string[], env: Record<string, string> = {}): Promise<Record<string, any>> => {
    const result = await world.aminate(['--json', 'bake', ...args], { env });
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    return jsonLines(result.stdout).at(-1) ?? {};
  };

  before(async () => {
    world = await openLocalWorld('aminator-e2e-contents-');
  });
  after(() => world?.close());

  it('an nginx-light bake: its SBOMs list what dpkg lists in the image, and validate; the delta is nginx-light and what it pulled in', async () => {
    const last = await bake(['nginx-light']);
    nginx = manifest(last.image.id);
    const contents = last.image.contents;
    const base = manifest(String(nginx.parentId));
    let before: string[] = [];
    let after: string[] = [];
    await withDiskMounted(disk(base.id), (root) => {
      before = dpkgQueryPackages(root);
    });
    await withDiskMounted(disk(nginx.id), (root) => {
      after = dpkgQueryPackages(root);
    });
    const cdx = readFileSync(join(world.store, 'images', nginx.id, 'sbom.cdx.json'), 'utf8');
    assert.deepEqual(cycloneDxPackages(cdx), after, 'the SBOM lists exactly what dpkg-query lists in the image');
    assert.equal(await new Validation.JsonStrictValidator(Spec.Version.v1dot5).validate(cdx), null, 'valid CycloneDX 1.5');
    const spdx = JSON.parse(readFileSync(join(world.store, 'images', nginx.id, 'sbom.spdx.json'), 'utf8'));
    assert.equal(spdx.spdxVersion, 'SPDX-2.3');
    assert.equal(spdx.packages.length, after.length + 1, 'every package and the image');
    assert.equal(spdx.relationships.filter((r: { relationshipType: string }) => r.relationshipType === 'CONTAINS').length, after.length);

    const names = (list: string[]): Set<string> => new Set(list.map((l) => l.split(' ')[0] as string));
    const expectedAdded = [...names(after)].filter((n) => !names(before).has(n)).sort();
    assert.ok(expectedAdded.includes('nginx-light') && expectedAdded.length > 1, expectedAdded.join(' '));
    assert.deepEqual(contents.delta.added.map((p: { name: string }) => p.name).sort(), expectedAdded);
    assert.deepEqual(contents.delta.upgraded, []);
    assert.deepEqual(contents.delta.removed, []);
    assert.equal(contents.packages, after.length);

    // The manifest keeps what the result said, and the documents' digests match the files.
    assert.deepEqual(nginx.contents.delta, contents.delta);
    for (const doc of nginx.contents.documents) {
      assert.equal(sha256(readFileSync(join(world.store, 'images', nginx.id, doc.file), 'utf8')), doc.sha256, doc.file);
    }
    const shown = await world.aminate(['images', 'sbom', nginx.name, '--format', 'delta', '--json']);
    assert.deepEqual(JSON.parse(shown.stdout).added, contents.delta.added);
  });

  it('lineage: an image baked on a bake of a base has three links; --built-on finds descendants', async () => {
    const last = await bake(['--base-image', nginx.name, buildDeb(world.scratch, 'contents-app')]);
    app = manifest(last.image.id);
    assert.deepEqual(
      last.image.contents.delta.added.map((p: { name: string }) => p.name),
      ['contents-app'],
    );
    const lineage = JSON.parse((await world.aminate(['images', 'lineage', app.name, '--json'])).stdout).lineage;
    assert.deepEqual(
      lineage.map((l: { id: string }) => l.id),
      [app.id, nginx.id, nginx.parentId],
    );
    const text = (await world.aminate(['images', 'lineage', app.id])).stdout;
    assert.match(text, /contents-app[\s\S]*↳ nginx-light[\s\S]*↳ debian-base/);
    const onBase = JSON.parse((await world.aminate(['images', 'list', '--built-on', 'debian-base', '--json'])).stdout);
    assert.deepEqual(onBase.map((i: { id: string }) => i.id).sort(), [app.id, nginx.id].sort());
    const onNginx = JSON.parse((await world.aminate(['images', 'list', '--built-on', nginx.id, '--json'])).stdout);
    assert.deepEqual(
      onNginx.map((i: { id: string }) => i.id),
      [app.id],
    );
  });

  it('--with-package answers the CVE question in dpkg’s ordering, epochs included', async () => {
    const ids = async (query: string): Promise<string[]> => {
      const result = await world.aminate(['images', 'list', '--with-package', query, '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /debian-base .*has no SBOM/, 'the seeded base cannot be asked, and says so');
      return JSON.parse(result.stdout)
        .map((i: { id: string }) => i.id)
        .sort();
    };
    const both = [app.id, nginx.id].sort();
    const version = String(nginx.contents.delta.added.find((p: { name: string }) => p.name === 'nginx-light').version);
    assert.deepEqual(await ids(`nginx-light<${version}+zz`), both, 'older than a version just above');
    assert.deepEqual(await ids(`nginx-light<${version}`), [], 'not older than itself');
    assert.deepEqual(await ids(`nginx-light<=${version}`), both);
    assert.deepEqual(await ids(`nginx-light<${version}~rc1`), [], '~ sorts before');
    // login is 1:4.13+…: its epoch makes it newer than any version without one.
    assert.deepEqual(await ids('login<99'), []);
    assert.deepEqual(await ids('login<1:99'), both);
    const refused = await world.aminate(['images', 'list', '--with-package', 'login;rm']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /E_INVALID_INPUT/);
  });

  it('a base whose package database is behind a link: the bake succeeds, says which image has no SBOM and why; `images sbom` explains', async () => {
    // /var/lib/dpkg a link to another directory of the image: dpkg in the chroot follows it, aminate
    // reading from the host does not (an image's links may point at the host's files).
    const base = manifest(String(nginx.parentId));
    const id = `img-${randomBytes(6).toString('hex')}`;
    const dir = join(world.store, 'images', id);
    mkdirSync(dir);
    sh('cp', ['--sparse=always', disk(base.id), join(dir, 'disk.raw')]);
    await withDiskMounted(
      join(dir, 'disk.raw'),
      (root) => {
        renameSync(join(root, 'var/lib/dpkg'), join(root, 'var/lib/dpkg-real'));
        symlinkSync('dpkg-real', join(root, 'var/lib/dpkg'));
      },
      { writable: true },
    );
    writeFileSync(join(dir, 'image.json'), JSON.stringify({ ...base, id, name: 'linked-dpkg', createdAt: new Date().toISOString() }));
    const result = await world.aminate(['bake', '--base-image', 'linked-dpkg', 'hello']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: hello-\S+ \(img-[0-9a-f]{12}\) has no SBOM: .*dpkg.* is a symbolic link/);
    const made =
      world
        .images()
        .map(manifest)
        .find((m) => m.parentId === id) ?? assert.fail('no image made');
    assert.match(made.contents.unavailable, /symbolic link/);
    const asked = await world.aminate(['images', 'sbom', made.id]);
    assert.equal(asked.code, 1);
    assert.match(asked.stderr, /E_NO_SBOM[\s\S]*has no SBOM: .*symbolic link/);
  });

  it('SOURCE_DATE_EPOCH: two bakes of one package on one base write the same SBOMs, but for the image’s id and name', async () => {
    const env = { SOURCE_DATE_EPOCH: '1764892800' };
    const a = await bake(['--suffix', 'repro-a', 'hello'], env);
    const b = await bake(['--suffix', 'repro-b', 'hello'], env);
    for (const file of ['sbom.cdx.json', 'sbom.spdx.json']) {
      const read = (image: Record<string, any>): string =>
        readFileSync(join(world.store, 'images', image.image.id, file), 'utf8')
          .replaceAll(image.image.id, 'IMAGE')
          .replaceAll(image.image.name, 'NAME');
      const [x, y] = [read(a), read(b)];
      // The CycloneDX serial number is derived from the image id: equal once that is masked.
      const serial = (text: string): string => text.replace(/urn:uuid:[0-9a-f-]+/, 'urn:uuid:SERIAL');
      assert.equal(serial(x), serial(y), file);
      assert.match(x, /2025-12-05T00:00:00(\.000)?Z/, `${file} carries the fixed time`);
    }
    world.assertNothingLeft();
  });
});
