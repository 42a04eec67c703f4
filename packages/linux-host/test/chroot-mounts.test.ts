import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CommandRunner } from '@aminator/core';
import { ProcessCommandRunner } from '@aminator/core/internal';
import { createTestStepContext, ROOT_ONLY } from '@aminator/testkit';
import { assertNoLeaks, sh, snapshotHost } from '@aminator/testkit/linux';
import { fstabText } from '../src/fstab.js';
import { Mounter, mountChrootFilesystems, STANDARD_CHROOT_MOUNTS } from '../src/index.js';
import { mountsAtOrBelow } from '../src/mount-table.js';

/** A real runner that remembers each umount's (and mount's) arguments. */
function recordingUmounts(inner: CommandRunner): { runner: CommandRunner; umounts: string[][]; mounts: string[][] } {
  const umounts: string[][] = [];
  const mounts: string[][] = [];
  return {
    umounts,
    mounts,
    runner: {
      run(file, args, options) {
        if (file === 'umount') umounts.push([...args]);
        if (file === 'mount') mounts.push([...args]);
        return inner.run(file, args, options);
      },
    },
  };
}

describe('fstab text', () => {
  it('escapes what would split a field, as libmount reads it back', () => {
    assert.equal(
      fstabText([
        { source: 'tmpfs', target: '/w/a b\\c\td', type: 'tmpfs', options: ['mode=0755', 'nosuid'] },
        { source: 'proc', target: '/w/p', type: 'proc', options: [] },
      ]),
      'tmpfs /w/a\\040b\\134c\\011d tmpfs mode=0755,nosuid 0 0\nproc /w/p proc defaults 0 0\n',
    );
    assert.throws(() => fstabText([{ source: '', target: '/x', type: 'proc', options: [] }]), /empty/);
  });
});

describe("the chroot's pseudo file systems go up", ROOT_ONLY, () => {
  const host = snapshotHost();
  const scratch = mkdtempSync(join(tmpdir(), 'aminator chroot-mounts up-'));
  after(() => {
    rmSync(scratch, { recursive: true, force: true });
    assertNoLeaks(host, { within: [scratch] });
  });

  it("with one mount for the image's own mount points and one for /dev/pts, under a path with a space", async () => {
    const root = join(scratch, 'two mounts');
    mkdirSync(root);
    const { ctx, stack } = createTestStepContext({ runId: 'mounts-up1' });
    const { runner, mounts } = recordingUmounts(new ProcessCommandRunner(ctx.log));
    try {
      await mountChrootFilesystems(root, new Mounter(runner), ctx, { unmountRetryMs: 5_000, blockDevices: [], commands: runner });
      assert.deepEqual(
        mountsAtOrBelow(root)
          .map((m) => [m.target.slice(root.length), m.fsType])
          .sort(),
        [
          ['/dev', 'tmpfs'],
          ['/dev/pts', 'devpts'],
          ['/proc', 'proc'],
          ['/run', 'tmpfs'],
          ['/sys', 'sysfs'],
        ],
      );
      assert.equal(mounts.length, 2);
      assert.deepEqual(mounts[0]?.slice(0, 2), ['--all', '--fstab']);
      assert.deepEqual(mounts[1], ['--bind', '/dev/pts', join(root, 'dev', 'pts')]);
      assert.deepEqual(readdirSync(scratch).sort(), ['two mounts'], 'the fstab is gone');
      assert.ok(readdirSync(join(root, 'dev')).includes('null'));
    } finally {
      await stack.unwind({ reason: 'failure' });
    }
    assert.deepEqual(mountsAtOrBelow(root), []);
    assert.deepEqual(readdirSync(root), []);
  });

  it('and when one fails, those mounted are undone, nothing nested is mounted, and the error says which', async () => {
    const root = join(scratch, 'one fails');
    mkdirSync(root);
    const { ctx, stack } = createTestStepContext({ runId: 'mounts-up2' });
    const runner = new ProcessCommandRunner(ctx.log);
    const broken = STANDARD_CHROOT_MOUNTS.map((m) => (m.inside === '/sys' ? { ...m, options: ['no-such-option=1'] } : m));
    try {
      await assert.rejects(
        mountChrootFilesystems(root, new Mounter(runner), ctx, { unmountRetryMs: 5_000, blockDevices: [], commands: runner }, broken),
        (error: Error) => error.message.includes(join(root, 'sys')),
      );
      assert.deepEqual(
        mountsAtOrBelow(root)
          .map((m) => m.target.slice(root.length))
          .sort(),
        ['/dev', '/proc', '/run'],
      );
      await stack.unwind({ reason: 'failure' });
      assert.deepEqual(mountsAtOrBelow(root), []);
      assert.deepEqual(readdirSync(root), []);
    } finally {
      await stack.unwind({ reason: 'failure' });
    }
  });

  it('refuses a mount point that is already one, mounting nothing', async () => {
    const root = join(scratch, 'taken');
    mkdirSync(join(root, 'run'), { recursive: true });
    sh('mount', ['-t', 'tmpfs', 'tmpfs', join(root, 'run')]);
    const { ctx, stack } = createTestStepContext({ runId: 'mounts-up3' });
    const runner = new ProcessCommandRunner(ctx.log);
    try {
      await assert.rejects(mountChrootFilesystems(root, new Mounter(runner), ctx, { unmountRetryMs: 5_000, blockDevices: [], commands: runner }), {
        code: 'E_MOUNT_TAKEN',
      });
      assert.deepEqual(
        mountsAtOrBelow(root).map((m) => m.target),
        [join(root, 'run')],
      );
    } finally {
      await stack.unwind({ reason: 'failure' });
      sh('umount', [join(root, 'run')]);
    }
    assert.deepEqual(readdirSync(root), ['run']);
  });
});

describe("the chroot's pseudo file systems come down", ROOT_ONLY, () => {
  const host = snapshotHost();
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-chroot-mounts-test-'));
  after(() => {
    rmSync(scratch, { recursive: true, force: true });
    assertNoLeaks(host, { within: [scratch] });
  });

  it('with one umount for all five when nothing holds them', async () => {
    const root = join(scratch, 'idle');
    mkdirSync(root);
    const { ctx, stack } = createTestStepContext({ runId: 'mounts1' });
    const { runner, umounts } = recordingUmounts(new ProcessCommandRunner(ctx.log));
    try {
      await mountChrootFilesystems(root, new Mounter(runner), ctx, { unmountRetryMs: 5_000, blockDevices: [], commands: runner });
      assert.equal(mountsAtOrBelow(root).length, 5);
      const report = await stack.unwind({ reason: 'success' });
      assert.deepEqual(report.errors, []);
      assert.deepEqual(umounts, [['--', ...['/run', '/dev/pts', '/dev', '/sys', '/proc'].map((p) => join(root, p))]]);
      assert.deepEqual(mountsAtOrBelow(root), []);
      assert.deepEqual(readdirSync(root), []);
    } finally {
      await stack.unwind({ reason: 'failure' });
    }
  });

  it('and one the group could not unmount is still unmounted on its own, deepest first', async () => {
    const root = join(scratch, 'busy');
    mkdirSync(root);
    const { ctx, stack } = createTestStepContext({ runId: 'mounts2' });
    const { runner, umounts } = recordingUmounts(new ProcessCommandRunner(ctx.log));
    try {
      await mountChrootFilesystems(root, new Mounter(runner), ctx, { unmountRetryMs: 10_000, blockDevices: [], commands: runner });
      // Something stacked inside /run (as a maintainer script may leave): umount of /run is then busy.
      const inner = join(root, 'run', 'inner');
      mkdirSync(inner);
      sh('mount', ['-t', 'tmpfs', 'tmpfs', inner]);
      const report = await stack.unwind({ reason: 'success' });
      assert.deepEqual(report.errors, []);
      assert.deepEqual(mountsAtOrBelow(root), []);
      assert.equal(umounts[0]?.length, 6, 'first the five at once');
      assert.deepEqual(umounts.slice(1), [[inner], [join(root, 'run')]], 'then what it left, alone');
    } finally {
      await stack.unwind({ reason: 'failure' });
    }
  });
});
