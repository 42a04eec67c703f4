import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ProcessCommandRunner } from '@aminator/core/internal';
import { createTestStepContext, ROOT_ONLY } from '@aminator/testkit';
import { assertNoLeaks, attachTestLoop, detachTestLoop, sh, snapshotHost } from '@aminator/testkit/linux';
import { Mounter, makeDeviceNodes, mountChrootFilesystems } from '../src/index.js';

describe("the chroot's private /dev", ROOT_ONLY, () => {
  const host = snapshotHost();
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-chroot-dev-test-'));
  after(() => {
    rmSync(scratch, { recursive: true, force: true });
    assertNoLeaks(host, { within: [scratch] });
  });

  it("makes each character device with Linux's numbers and mode 0666, whatever the host's /dev holds", async () => {
    const { ctx } = createTestStepContext({ runId: 'dev2' });
    const commands = new ProcessCommandRunner(ctx.log);
    const odd = join(scratch, 'odd-host-dev');
    mkdirSync(odd);
    writeFileSync(join(odd, 'zero'), 'a regular file');
    symlinkSync('/dev/null', join(odd, 'null'));
    const dev = join(scratch, 'dev-odd');
    const check = async (hostDev: string, target: string) => {
      mkdirSync(target);
      sh('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'aminator-test', target]);
      try {
        await makeDeviceNodes(target, [], commands, ctx.signal, hostDev);
        for (const [name, numbers] of Object.entries({ null: [1, 3], zero: [1, 5], full: [1, 7], random: [1, 8], urandom: [1, 9], tty: [5, 0] })) {
          const info = lstatSync(join(target, name));
          assert.ok(info.isCharacterDevice(), `${hostDev}: ${name} is a character device`);
          assert.deepEqual([Math.floor(info.rdev / 256), info.rdev % 256], numbers, `${hostDev}: ${name} numbers`);
          assert.equal(info.mode & 0o777, 0o666, `${hostDev}: ${name} mode`);
        }
      } finally {
        sh('umount', [target]);
      }
    };
    await check('/dev', join(scratch, 'dev-host'));
    await check(odd, dev);
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
    const commands = new ProcessCommandRunner(ctx.log);
    try {
      await mountChrootFilesystems(root, new Mounter(commands), ctx, { unmountRetryMs: 5_000, blockDevices: [loop], commands });
      const dev = join(root, 'dev');
      for (const name of ['null', 'zero', 'full', 'random', 'urandom', 'tty']) assert.ok(statSync(join(dev, name)).isCharacterDevice(), name);
      assert.equal(readlinkSync(join(dev, 'ptmx')), 'pts/ptmx');
      assert.ok(statSync(join(dev, 'pts', 'ptmx')).isCharacterDevice(), "the host's pts is bound in");
      const name = basename(loop);
      assert.ok(lstatSync(join(dev, `aminator-${name}`)).isBlockDevice());
      assert.equal(statSync(join(dev, `aminator-${name}`)).rdev, statSync(loop).rdev, "the same device numbers as the host's node");
      assert.equal(statSync(join(dev, `aminator-${name}`)).mode & 0o777, 0o660);
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
