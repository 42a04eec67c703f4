import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ProcessCommandRunner } from '@aminator/core/internal';
import { createTestStepContext, ROOT_ONLY } from '@aminator/testkit';
import { sh, withOwnFileSystem } from '@aminator/testkit/linux';
import { copyDiskFile } from '../src/index.js';

const MiB = 1024 * 1024;
const scratch = mkdtempSync(join(tmpdir(), 'aminator-disk-copy-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const commands = new ProcessCommandRunner(createTestStepContext().ctx.log);

/** A sparse file of `sizeBytes` with `data` written at `offset`. */
async function sparseFile(path: string, sizeBytes: number, offset: number, data: Buffer): Promise<void> {
  const handle = await open(path, 'wx', 0o640);
  try {
    await handle.truncate(sizeBytes);
    await handle.write(data, 0, data.length, offset);
  } finally {
    await handle.close();
  }
}

const sha256 = (buffer: Buffer): string => createHash('sha256').update(buffer).digest('hex');

describe('copyDiskFile', ROOT_ONLY, () => {
  it('copies sparse, grows to the size asked, keeps the mode, and has written the copy to its disk when it returns', async () => {
    // Source and copy on an ext4 of their own, whose device counts the sectors written to it. A
    // plain `cp` leaves the copy in the page cache for half a minute.
    await withOwnFileSystem(join(scratch, 'own'), 128 * MiB, async ({ mountPoint, counters }) => {
      const source = join(mountPoint, 'base.raw');
      const data = randomBytes(16 * MiB);
      await sparseFile(source, 40 * MiB, 4 * MiB, data);
      sh('sync', ['--file-system', mountPoint]);
      const copy = join(mountPoint, 'volume.raw');
      const before = counters().sectorsWritten;
      await copyDiskFile(commands, source, copy, { sizeBytes: 64 * MiB });
      const written = (counters().sectorsWritten - before) * 512;
      assert.ok(written >= data.length, `only ${written} bytes reached the device by the time the copy returned`);

      const copied = readFileSync(copy);
      assert.equal(copied.length, 64 * MiB);
      assert.equal(sha256(copied.subarray(0, 40 * MiB)), sha256(readFileSync(source)));
      assert.equal(sha256(copied.subarray(40 * MiB)), sha256(Buffer.alloc(24 * MiB)));
      assert.ok(statSync(copy).blocks * 512 < 20 * MiB, 'the copy stays sparse');
      assert.equal(statSync(copy).mode & 0o777, 0o640);
    });
  });

  it('never writes over what is at the target: a file or a symlink there is refused before any copy', async () => {
    const source = join(scratch, 'small.raw');
    await sparseFile(source, 4 * MiB, 0, Buffer.from('disk'));
    const existing = join(scratch, 'existing.raw');
    writeFileSync(existing, 'keep');
    await assert.rejects(copyDiskFile(commands, source, existing), { code: 'EEXIST' });
    assert.equal(readFileSync(existing, 'utf8'), 'keep');

    const victim = join(scratch, 'victim');
    writeFileSync(victim, 'keep');
    chmodSync(victim, 0o600);
    const link = join(scratch, 'link.raw');
    symlinkSync(victim, link);
    await assert.rejects(copyDiskFile(commands, source, link), { code: 'EEXIST' });
    assert.equal(readFileSync(victim, 'utf8'), 'keep');
    assert.equal(statSync(victim).size, 4);

    await assert.rejects(copyDiskFile(commands, join(scratch, 'missing.raw'), join(scratch, 'never.raw')), { code: 'ENOENT' });
    assert.equal(existsSync(join(scratch, 'never.raw')), false);
  });

  it('stops with the signal and says so; the partial copy is left to the undo of whoever named it', async () => {
    const source = join(scratch, 'aborted-source.raw');
    await sparseFile(source, 8 * MiB, 0, randomBytes(MiB));
    const target = join(scratch, 'aborted.raw');
    await assert.rejects(copyDiskFile(commands, source, target, { signal: AbortSignal.abort() }), { code: 'E_COMMAND_FAILED', message: /was stopped/ });
    assert.equal(existsSync(target), true);
  });
});
