import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { quietSdkNodeWarning } from '@aminator/aws-ec2';
import { jsonLines, ROOT_ONLY } from '@aminator/testkit';
import { sh } from '@aminator/testkit/linux';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { type EbsDirectWorld, openEbsDirectWorld, readSnapshotBack } from './ebs-direct-world.js';
import { buildDeb, withDiskMounted } from './fixtures.js';

quietSdkNodeWarning();

describe('EBS direct bakes end to end: no instance, no volume — aminate → client-ebs and client-ec2 over HTTP → the test endpoint', ROOT_ONLY, () => {
  let world: EbsDirectWorld;
  const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' };
  before(async () => {
    world = await openEbsDirectWorld('aminator-e2e-ebsdirect-');
  });
  after(async () => {
    await world?.close();
  });

  /** Every PutSnapshotBlock of the next bake fails (until the test clears the faults). */
  const failEveryBlockWrite = (): void => {
    world.endpoint.world.faults.failNext.push({
      action: 'PutSnapshotBlock',
      code: 'InternalServerException',
      status: 500,
      times: 1_000,
      startAfter: 'StartSnapshot',
    });
  };
  const ownImages = (): string[] =>
    [...world.endpoint.world.images.values()]
      .filter((i) => i.ownerId === world.endpoint.world.instance.accountId && i.state !== 'deregistered')
      .map((i) => i.id);

  const readBack = (snapshotId: string, sizeGiB: number): Promise<string> => readSnapshotBack(world.endpoint, world.scratch, snapshotId, sizeGiB);

  it('bakes hello from a public vendor AMI: the base copied and downloaded once, only changed blocks written, the AMI readable and working; a second bake downloads and copies nothing', async () => {
    const gets = world.endpoint.callsOf('GetSnapshotBlock');
    const sbomDir = join(world.scratch, 'sboms');
    mkdirSync(sbomDir, { mode: 0o755 });
    const result = await world.aminate(world.bakeArgs('--suffix', 'direct1', '--tag', 'team=platform', '--sbom-dir', sbomDir, 'hello'));
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    assert.doesNotMatch(result.stderr, /Warning/, 'no Node or SDK warning on stderr (16 requests on one abort signal are expected)');
    const events = jsonLines(result.stdout);
    const last = events.at(-1) ?? {};
    assert.equal(last.status, 'succeeded');
    assert.equal(world.endpoint.callsOf('CopySnapshot'), 1, 'the public base snapshot was copied into the account once');
    const copy = [...world.endpoint.world.snapshots.values()].find((s) => s.tags.purpose === 'aminator-base-copy');
    assert.equal(copy?.tags.source_snapshot, world.baseSnapshot);
    const downloaded = world.endpoint.callsOf('GetSnapshotBlock') - gets;
    assert.ok(downloaded > 0, 'the copy was downloaded');
    assert.equal(downloaded, world.endpoint.ebs.blocksOf(copy ?? assert.fail('no copy')).size, 'every data block of the copy, once');
    assert.ok(events.some((e) => e.type === 'log' && /copying snap-\w+ into this account/.test(e.message ?? '')));

    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: world.endpoint.url, credentials });
    const { Images: [image] = [] } = await ec2.send(new DescribeImagesCommand({ ImageIds: [last.image.id] }));
    ec2.destroy();
    const tags = Object.fromEntries((image?.Tags ?? []).map((t) => [t.Key, t.Value]));
    assert.equal(tags.team, 'platform');
    assert.equal(tags.appversion, `hello-${last.package.version}-${last.package.release}`);
    // The SBOMs went to --sbom-dir, named after the AMI, and the AMI carries their SHA-256.
    const documents = last.image.contents.documents as Array<{ format: string; path: string; sha256: string }>;
    assert.deepEqual(readdirSync(sbomDir).sort(), [`${last.image.name}.delta.json`, `${last.image.name}.sbom.cdx.json`, `${last.image.name}.sbom.spdx.json`]);
    for (const doc of documents) {
      const digest = createHash('sha256').update(readFileSync(doc.path)).digest('hex');
      assert.equal(digest, doc.sha256, doc.path);
      assert.equal(tags[doc.format === 'cyclonedx' ? 'sbom_cdx_sha256' : 'sbom_spdx_sha256'], digest, `the AMI is tagged with ${doc.format}'s digest`);
    }
    assert.deepEqual(
      last.image.contents.delta.added.map((p: { name: string }) => p.name),
      ['hello'],
    );
    assert.equal(image?.ImdsSupport, 'v2.0');
    assert.equal(image?.BootMode, 'uefi-preferred');
    const snapshotId = image?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '';
    const snapshot = world.endpoint.world.snapshots.get(snapshotId);
    assert.equal(snapshot?.parentId, copy.id, "the AMI's snapshot is a child of the base copy");
    const accepted = world.endpoint.calls.filter((c) => c.action === 'PutSnapshotBlock' && c.ids.includes(snapshotId) && c.status === 201);
    const puts = new Set(accepted.map((c) => c.block)).size;
    assert.equal(accepted.length, puts, 'no block was accepted twice');
    const changed = world.endpoint.ebs.changedSince(copy.id, snapshotId);
    assert.equal(puts, changed, 'the blocks written are exactly those that differ from the parent');
    assert.ok(puts < world.endpoint.ebs.blocksOf(copy).size, `${puts} blocks written of ${world.endpoint.ebs.blocksOf(copy).size} in the base`);
    const readback = await readBack(snapshotId, snapshot?.sizeGiB ?? 2);
    await withDiskMounted(readback, (root) => {
      assert.match(sh('chroot', [root, '/usr/bin/hello']), /Hello, world!/);
    });
    sh('rm', ['-f', readback]);
    world.assertNothingLeft([last.image.id]);

    const getsBefore = world.endpoint.callsOf('GetSnapshotBlock');
    const second = await world.aminate(world.bakeArgs('--suffix', 'direct2', 'hello'));
    assert.equal(second.code, 0, second.stderr + second.stdout.slice(-3000));
    assert.equal(world.endpoint.callsOf('GetSnapshotBlock'), getsBefore, 'the second bake downloaded 0 blocks');
    assert.equal(world.endpoint.callsOf('CopySnapshot'), 1, 'and copied nothing');
    const secondId = jsonLines(second.stdout).at(-1)?.image.id;
    world.assertNothingLeft([last.image.id, secondId]);

    // Baked on the first AMI: its snapshot is read from the cached copy plus the blocks it changed.
    const deb = buildDeb(world.scratch, 'layer-app');
    const getsLayered = world.endpoint.callsOf('GetSnapshotBlock');
    const layered = await world.aminate(world.bakeArgs('--base-image', last.image.id, '--suffix', 'layer', deb));
    assert.equal(layered.code, 0, layered.stderr + layered.stdout.slice(-3000));
    assert.equal(world.endpoint.callsOf('GetSnapshotBlock') - getsLayered, changed, `only the ${changed} blocks the first AMI changed were downloaded`);
    assert.ok(
      jsonLines(layered.stdout).some((e) => e.type === 'log' && new RegExp(`${changed} blocks that differ from ${copy.id} downloaded`).test(e.message ?? '')),
    );
    const layeredImage = jsonLines(layered.stdout).at(-1)?.image.id;
    const layeredSnapshot = world.endpoint.world.images.get(layeredImage)?.blockDeviceMappings[0]?.ebs?.snapshotId ?? '';
    assert.equal(world.endpoint.world.snapshots.get(layeredSnapshot)?.parentId, snapshotId, "its snapshot is a child of the first AMI's");
    const layeredBack = await readBack(layeredSnapshot, 2);
    await withDiskMounted(layeredBack, (root) => {
      assert.match(sh('chroot', [root, '/usr/bin/hello']), /Hello, world!/, 'the first layer is there');
      assert.equal(sh('chroot', [root, '/usr/bin/layer-app']), 'layer-app 3.1\n', 'and the second');
    });
    sh('rm', ['-f', layeredBack]);
    world.assertNothingLeft([last.image.id, secondId, layeredImage]);

    // The AMIs' side of `aminate images`: lineage and package queries from their tags and --sbom-dir.
    const chain = await world.aminate(['--json', 'amis', 'lineage', layeredImage]);
    assert.equal(chain.code, 0, chain.stderr);
    const links = JSON.parse(chain.stdout).lineage as Array<{ id: string; snapshotId?: string; parentSnapshotId?: string }>;
    assert.deepEqual(
      links.map((l) => l.id),
      [
        layeredImage,
        last.image.id,
        [...world.endpoint.world.images.values()].find((i) => i.blockDeviceMappings[0]?.ebs?.snapshotId === world.baseSnapshot)?.id,
      ],
      "layer → first AMI → the vendor's base",
    );
    assert.equal(links[0]?.parentSnapshotId, snapshotId, "the layer's snapshot was written on the first AMI's");
    assert.equal(links[1]?.parentSnapshotId, copy.id, "and that one on the base's copy");
    const holders = await world.aminate(['--json', 'amis', 'list', '--with-package', `hello>=${last.package.version}`, '--sbom-dir', sbomDir]);
    assert.equal(holders.code, 0, holders.stderr);
    assert.deepEqual(
      JSON.parse(holders.stdout).map((a: { id: string }) => a.id),
      [last.image.id],
      'only the bake given --sbom-dir can be asked',
    );
    assert.match(holders.stderr, new RegExp(`${layeredImage}\\) could not be asked: its tags carry no SBOM digest`));
    const built = await world.aminate(['--json', 'amis', 'list', '--built-on', last.image.id]);
    assert.equal(built.code, 0, built.stderr);
    assert.deepEqual(
      JSON.parse(built.stdout).map((a: { id: string }) => a.id),
      [layeredImage],
    );
  });

  it('a published image is never reclaimed: too many tags are refused at plan, a fault after RegisterImage fails the bake with nothing left, cleanup keeps every AMI it reported', async () => {
    const kept = (): string[] => ownImages();
    // 37 user tags + 5 standard + 9 of the snapshot's own (its lease among them) pass EC2's 50: refused before anything is made.
    const starts = world.endpoint.callsOf('StartSnapshot');
    const tags = Array.from({ length: 37 }, (_, i) => ['--tag', `k${i}=v`]).flat();
    const tooMany = await world.aminate(world.bakeArgs('--suffix', 'tags37', ...tags, 'hello'));
    assert.equal(tooMany.code, 2, tooMany.stderr + tooMany.stdout.slice(-2000));
    assert.match(jsonLines(tooMany.stdout).at(-1)?.error?.message ?? '', /--tag: 37 tags, with the 14 aminate adds, pass EC2's limit of 50/);
    assert.equal(world.endpoint.callsOf('StartSnapshot'), starts, 'nothing was written');
    // 36 fit, and the snapshot's status=finalized and image_id still fit beside them.
    const fits = await world.aminate(world.bakeArgs('--suffix', 'tags36', ...tags.slice(0, 72), 'hello'));
    assert.equal(fits.code, 0, fits.stderr + fits.stdout.slice(-2000));

    // Every call a bake makes after RegisterImage, each failed once in turn.
    const sbomDir = mkdtempSync(join(world.scratch, 'sboms-'));
    chmodSync(sbomDir, 0o755);
    const before = kept();
    const from = world.endpoint.calls.length;
    const ok = await world.aminate(world.bakeArgs('--suffix', 'pub-ok', 'hello'));
    assert.equal(ok.code, 0, ok.stderr + ok.stdout.slice(-2000));
    const published = jsonLines(ok.stdout).at(-1)?.image.id as string;
    const calls = world.endpoint.calls.slice(from).map((c) => c.action);
    const afterRegister = [...new Set(calls.slice(calls.indexOf('RegisterImage') + 1))];
    assert.ok(afterRegister.includes('CreateTags'), `the snapshot is marked finalized after RegisterImage: ${afterRegister.join(', ')}`);
    for (const [index, action] of afterRegister.entries()) {
      world.endpoint.world.faults.failNext.push({ action, code: 'UnauthorizedOperation', status: 403, times: 1, startAfter: 'RegisterImage' });
      try {
        const result = await world.aminate(world.bakeArgs('--suffix', `pub-fault${index}`, '--sbom-dir', sbomDir, 'hello'));
        const last = jsonLines(result.stdout).at(-1) ?? {};
        const documents = readdirSync(sbomDir).filter((f) => f.includes(`pub-fault${index}.`));
        if (result.code === 0) {
          assert.ok(kept().includes(last.image.id), `${action}: a bake that succeeded has its image`);
          assert.equal(documents.length, 3, `${action}: and its documents`);
        } else {
          assert.equal(result.code, 1, `${action}: ${result.stderr}`);
          assert.deepEqual(kept().sort(), [...before, published].sort(), `${action}: the failed bake left no image`);
          assert.deepEqual(documents, [], `${action}: nor its documents`);
        }
      } finally {
        world.endpoint.world.faults.failNext.length = 0;
      }
    }
    const reported = kept();
    const swept = await world.aminate(['-e', 'ebsdirect_apt_linux', '--json', 'cleanup']);
    assert.equal(swept.code, 0, swept.stderr + swept.stdout);
    assert.deepEqual(kept().sort(), reported.sort(), 'cleanup deregistered no image a bake reported');
    world.assertNothingLeft(reported);

    // --force: the old image goes only once the new one's snapshot is complete.
    failEveryBlockWrite();
    try {
      const failed = await world.aminate(world.bakeArgs('--suffix', 'pub-ok', '--force', 'hello'));
      assert.equal(failed.code, 75, failed.stderr + failed.stdout.slice(-2000));
    } finally {
      world.endpoint.world.faults.failNext.length = 0;
    }
    assert.ok(kept().includes(published), 'a bake that failed before its snapshot was complete kept the old image');
    const replaced = await world.aminate(world.bakeArgs('--suffix', 'pub-ok', '--force', 'hello'));
    assert.equal(replaced.code, 0, replaced.stderr + replaced.stdout.slice(-2000));
    assert.equal(kept().includes(published), false, 'replaced once the new image was registered');
    world.assertNothingLeft(kept());
  });

  it('grows: --volume-size above the base makes a larger snapshot whose file system fills it', async () => {
    const result = await world.aminate(world.bakeArgs('--suffix', 'grown', '--volume-size', '3', 'hello'));
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const last = jsonLines(result.stdout).at(-1) ?? {};
    const image = world.endpoint.world.images.get(last.image.id);
    const snapshot = world.endpoint.world.snapshots.get(image?.blockDeviceMappings[0]?.ebs?.snapshotId ?? '');
    assert.equal(snapshot?.sizeGiB, 3);
    assert.equal(image?.blockDeviceMappings[0]?.ebs?.volumeSize, 3);
    const readback = await readBack(snapshot?.id ?? '', 3);
    await withDiskMounted(readback, (root) => {
      const kib = Number(sh('df', ['--output=size', '-k', root]).split('\n')[1]);
      assert.ok(kib > 2.5 * 1024 * 1024, `file system of ${kib} KiB fills the 3 GiB snapshot`);
    });
    sh('rm', ['-f', readback]);
    world.assertNothingLeft(ownImages());
  });

  describe('faults inside the new steps', () => {
    const partials = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((n) => n.includes('.partial-')) : []);

    it('SIGINT while the base downloads: exit 130, the partial cache file is gone, and the next bake downloads it whole', async () => {
      const cacheDir = join(world.scratch, 'cache-sigint');
      const result = await world.aminate(world.bakeArgs('--cache-dir', cacheDir, '--concurrency', '2', '--suffix', 'dl-int', 'hello'), {
        signalOn: { when: /downloading snap-\w+: \d+\/\d+ blocks/, signal: 'SIGINT' },
      });
      assert.equal(result.code, 130, result.stderr + result.stdout.slice(-2000));
      assert.equal(jsonLines(result.stdout).at(-1)?.error?.step, 'create-volume');
      assert.deepEqual(partials(cacheDir), []);
      assert.deepEqual(
        readdirSync(cacheDir).filter((n) => n.endsWith('.json')),
        [],
        'no complete entry either',
      );
      world.assertNothingLeft(ownImages());
    });

    it('kill -9 while the base downloads: aminate cleanup removes the half-written cache files and nothing else', async () => {
      const cacheDir = join(world.scratch, 'cache-kill');
      const result = await world.aminate(world.bakeArgs('--cache-dir', cacheDir, '--concurrency', '2', '--suffix', 'dl-kill', 'hello'), {
        signalOn: { when: /downloading snap-\w+: \d+\/\d+ blocks/, signal: 'SIGKILL' },
      });
      assert.equal(result.signal, 'SIGKILL');
      assert.ok(partials(cacheDir).length > 0, 'the kill left a partial file');
      const swept = await world.aminate(['-e', 'ebsdirect_apt_linux', '--json', 'cleanup', '--cache-dir', cacheDir]);
      assert.equal(swept.code, 0, swept.stderr + swept.stdout);
      assert.deepEqual(partials(cacheDir), []);
      world.assertNothingLeft(ownImages());
    });

    it('a block write that keeps failing: exit 75 (retryable), the started snapshot is completed and deleted, nothing left', async () => {
      failEveryBlockWrite();
      try {
        const result = await world.aminate(world.bakeArgs('--suffix', 'put-fails', 'hello'));
        assert.equal(result.code, 75, result.stderr + result.stdout.slice(-2000));
        const last = jsonLines(result.stdout).at(-1) ?? {};
        assert.equal(last.error?.retryable, true, 'EBS failing past the SDK retries may pass later');
        assert.equal(last.error?.step, 'finalize');
        assert.match(last.error?.message ?? '', /PutSnapshotBlock/);
      } finally {
        world.endpoint.world.faults.failNext.length = 0;
      }
      world.assertNothingLeft(ownImages());
    });

    it('kill -9 while blocks are written: cleanup deletes the unfinished snapshot once EC2 moved it to error at its timeout', async () => {
      world.endpoint.ebs.minuteMs = 100;
      try {
        const result = await world.aminate(world.bakeArgs('--suffix', 'put-kill', '--upload-concurrency', '1', 'hello'), {
          // As the writes start: a bake whose blocks all fit before the first count (64) would otherwise be
          // killed only after CompleteSnapshot.
          signalOn: { when: /snapshot snap-\w+: writing \d+ of \d+ blocks/, signal: 'SIGKILL' },
        });
        assert.equal(result.signal, 'SIGKILL');
        const unfinished = [...world.endpoint.world.snapshots.values()].filter(
          (s) => s.tags.purpose === 'aminator-direct-snapshot' && s.tags.status === 'building',
        );
        assert.equal(unfinished.length, 1, 'the kill left one unfinished snapshot');
        const started = Date.now();
        while (unfinished[0]?.state === 'pending' && Date.now() - started < 30_000) await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(unfinished[0]?.state, 'error', 'its timeout (60 × 100 ms here) moved it to error');
        const swept = await world.aminate(['-e', 'ebsdirect_apt_linux', '--json', 'cleanup']);
        assert.equal(swept.code, 0, swept.stderr + swept.stdout);
        assert.ok(
          jsonLines(swept.stdout).some((e) => e.type === 'leftover' && e.kind === 'snapshot' && e.id === unfinished[0]?.id && e.status === 'reclaimed'),
        );
      } finally {
        world.endpoint.ebs.minuteMs = 60_000;
      }
      world.assertNothingLeft(ownImages());
    });
  });
});
