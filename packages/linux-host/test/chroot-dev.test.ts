import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ExecaCommandRunner } from '@aminator/core/internal';
import { createTestStepContext, ROOT_ONLY } from '@aminator/testkit';
import { assertNoLeaks, attachTestLoop, detachTestLoop, sh, snapshotHost } from '@aminator/testkit/linux';
import { Mounter, mountChrootFilesystems } from '../src/index.js';

describe("the chroot's private /dev", ROOT_ONLY, () => {
  const host = snapshotHost();
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-chroot-dev-test-'));
  after(() => {
    rmSync(scratch, { recursive: true, force: true });
    assertNoLeaks(host, { within: [scratch] });
  });

  it("holds the usual devices and only the image's own block device, under a non-loop name, by UUID; all undone", async () => {
    const image = join(scratch, 'fs.raw');
    sh('truncate', ['--size', '64M', image]);
    sh('mkfs.ext4', ['-q', '-F', image]);
    const uuid = sh('blkid', ['--output', 'value', '--match-tag', 'UUID', image]).trim();
    const loop = attachTestLoop(image);
    const root = join(scratch, 'root');
    mkdirSync(root);
    const { ctx, stack } = createTestStepContext({ runId: 'dev1' });
    const commands = new ExecaCommandRunner(ctx.log);
    try {
      await mountChrootFilesystems(root, new Mounter(commands), ctx, { unmountRetryMs: 5_000, blockDevices: [loop], commands });
      const dev = join(root, 'dev');
      for (const name of ['null', 'zero', 'full', 'random', 'urandom', 'tty']) assert.ok(statSync(join(dev, name)).isCharacterDevice(), name);
      assert.equal(readlinkSync(join(dev, 'ptmx')), 'pts/ptmx');
      assert.ok(statSync(join(dev, 'pts', 'ptmx')).isCharacterDevice(), "the host's pts is bound in");
      const name = basename(loop);
      assert.ok(lstatSync(join(dev, `aminator-${name}`)).isBlockDevice());
      assert.equal(statSync(join(dev, `aminator-${name}`)).rdev, statSync(loop).rdev, "the same device numbers as the host's node");
      assert.equal(readlinkSync(join(dev, name)), `aminator-${name}`, 'the loop name links to it, as the mount table names it');
      assert.equal(realpathSync(join(dev, 'disk', 'by-uuid', uuid)), join(realpathSync(dev), `aminator-${name}`));
      const blocks = readdirSync(dev).filter((n) => lstatSync(join(dev, n)).isBlockDevice());
      assert.deepEqual(blocks, [`aminator-${name}`], 'no host disk is visible');
      assert.equal(
        sh('blkid', ['--probe', '--output', 'value', '--match-tag', 'UUID', join(dev, `aminator-${name}`)]).trim(),
        uuid,
        'the node reads the image',
      );
      const report = await stack.unwind({ reason: 'success' });
      assert.deepEqual(report.errors, []);
      assert.deepEqual(readdirSync(root), [], 'every mount point removed');
      assert.equal(existsSync(join(root, 'dev')), false);
    } finally {
      await stack.unwind({ reason: 'failure' });
      detachTestLoop(loop);
    }
  });
});
