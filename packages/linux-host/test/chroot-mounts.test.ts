import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CommandRunner } from '@aminator/core';
import { ProcessCommandRunner } from '@aminator/core/internal';
import { createTestStepContext, ROOT_ONLY } from '@aminator/testkit';
import { assertNoLeaks, sh, snapshotHost } from '@aminator/testkit/linux';
import { Mounter, mountChrootFilesystems } from '../src/index.js';
import { mountsAtOrBelow } from '../src/mount-table.js';

/** A real runner that remembers each umount's arguments. */
function recordingUmounts(inner: CommandRunner): { runner: CommandRunner; umounts: string[][] } {
  const umounts: string[][] = [];
  return {
    umounts,
    runner: {
      run(file, args, options) {
        if (file === 'umount') umounts.push([...args]);
        return inner.run(file, args, options);
      },
    },
  };
}

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
