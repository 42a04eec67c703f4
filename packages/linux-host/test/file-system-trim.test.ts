import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ProcessCommandRunner } from '@aminator/core/internal';
import { createTestStepContext, ROOT_ONLY } from '@aminator/testkit';
import { sh, withOwnFileSystem } from '@aminator/testkit/linux';
import { trimFileSystem } from '../src/index.js';

const MiB = 1024 * 1024;
const scratch = mkdtempSync(join(tmpdir(), 'aminator-trim-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('trimFileSystem', ROOT_ONLY, () => {
  it("punches a file system's freed blocks out of the image file under its loop device", async () => {
    const { ctx } = createTestStepContext();
    const commands = new ProcessCommandRunner(ctx.log);
    await withOwnFileSystem(join(scratch, 'own'), 96 * MiB, async ({ image, mountPoint }) => {
      sh('dd', ['if=/dev/urandom', `of=${join(mountPoint, 'downloaded.deb')}`, 'bs=1M', 'count=24', 'status=none']);
      sh('sync', ['--file-system', mountPoint]);
      // Deleted just before, as a build's last step would: the blocks are still in the journal's running transaction.
      rmSync(join(mountPoint, 'downloaded.deb'));
      const before = statSync(image).blocks * 512;
      assert.equal(await trimFileSystem(commands, mountPoint, ctx.log), true);
      const after = statSync(image).blocks * 512;
      assert.ok(before - after >= 20 * MiB, `the image file went from ${before} to ${after} bytes allocated`);
    });
  });

  it('where the device cannot discard it says so in the log and goes on', async () => {
    const test = createTestStepContext();
    const tmpfs = join(scratch, 'tmpfs');
    mkdirSync(tmpfs);
    sh('mount', ['-t', 'tmpfs', '-o', 'size=1M', 'tmpfs', tmpfs]);
    try {
      assert.equal(await trimFileSystem(new ProcessCommandRunner(test.ctx.log), tmpfs, test.ctx.log), false);
    } finally {
      sh('umount', [tmpfs]);
    }
    assert.ok(
      test.logs.some((line) => /^info free blocks of .* not trimmed .*not supported/s.test(line)),
      `the reason is logged: ${test.logs.join(' | ')}`,
    );
  });
});
