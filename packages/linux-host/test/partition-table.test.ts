import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CommandRunner } from '@aminator/core';
import { ProcessCommandRunner } from '@aminator/core/internal';
import { createTestStepContext, ROOT_ONLY } from '@aminator/testkit';
import { attachTestLoop, detachTestLoop, sh } from '@aminator/testkit/linux';
import { readPartitionTable } from '../src/index.js';

const ESP = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
const BIOS_BOOT = '21686148-6453-6F6E-7420-4E6565644546';
const ROOT_X86_64 = '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709';

/** What sfdisk itself says of `device`, mapped as readPartitionTable maps it. */
function sfdiskSays(device: string): unknown {
  const result = spawnSync('sfdisk', ['--json', '--', device], { encoding: 'utf8' });
  if (result.status !== 0 || !result.stdout.trim()) return undefined;
  const table = JSON.parse(result.stdout).partitiontable;
  return {
    label: table.label,
    sectorSize: table.sectorsize ?? 512,
    partitions: (table.partitions ?? []).map((p: { node: string; start: number; size: number; type: string }) => ({
      number: Number(/(\d+)$/.exec(p.node)?.[1]),
      start: p.start,
      size: p.size,
      type: p.type.toUpperCase(),
    })),
  };
}

/** A real runner that counts the sfdisk processes started. */
function countingSfdisk(): { runner: CommandRunner; sfdisk: () => number } {
  const inner = new ProcessCommandRunner(createTestStepContext().ctx.log);
  let count = 0;
  return {
    sfdisk: () => count,
    runner: {
      run(file, args, options) {
        if (file === 'sfdisk') count++;
        return inner.run(file, args, options);
      },
    },
  };
}

describe('partition tables', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-partition-table-test-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  function image(name: string, script?: string): string {
    const file = join(scratch, name);
    closeSync(openSync(file, 'w'));
    truncateSync(file, 64 * 1024 * 1024);
    if (script) sh('sfdisk', ['--quiet', '--', file], { input: script });
    return file;
  }

  it('a plain GPT is read in-process, exactly as sfdisk reads it', async () => {
    const file = image(
      'gpt.raw',
      `label: gpt\nstart=2048, size=2048, type=${BIOS_BOOT}\nstart=4096, size=20480, type=${ESP}\nstart=24576, type=${ROOT_X86_64}, name=root\n`,
    );
    sh('sfdisk', ['--quiet', '--delete', '--', file, '1']);
    const { runner, sfdisk } = countingSfdisk();
    const table = await readPartitionTable(runner, file);
    assert.equal(sfdisk(), 0, 'no sfdisk process');
    assert.deepEqual(table, sfdiskSays(file));
    assert.deepEqual(
      table?.partitions.map((p) => p.number),
      [2, 3],
      'numbered by entry, a deleted one leaves its number unused',
    );
  });

  it('a GPT whose primary header fails its checksum is left to sfdisk (which reads the backup)', async () => {
    const file = image('bad-crc.raw', `label: gpt\nstart=2048, type=${ROOT_X86_64}\n`);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from([0xff]), 0, 1, 512 + 16); // a byte of the header's own CRC
    closeSync(fd);
    const { runner, sfdisk } = countingSfdisk();
    const table = await readPartitionTable(runner, file);
    assert.equal(sfdisk(), 1);
    assert.deepEqual(table, sfdiskSays(file));
    assert.equal(table?.partitions[0]?.type, ROOT_X86_64);
  });

  it("a GPT header without its protective MBR is sfdisk's to judge", async () => {
    const file = image('no-pmbr.raw', `label: gpt\nstart=2048, type=${ROOT_X86_64}\n`);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(2), 0, 2, 510); // the MBR signature gone, the GPT header intact
    closeSync(fd);
    const { runner, sfdisk } = countingSfdisk();
    assert.deepEqual(await readPartitionTable(runner, file), sfdiskSays(file));
    assert.equal(sfdisk(), 1);
  });

  it("an MBR table is sfdisk's; no table at all is none, without a process", async () => {
    const mbr = image('mbr.raw', 'label: dos\nstart=2048, type=83\n');
    const counted = countingSfdisk();
    const table = await readPartitionTable(counted.runner, mbr);
    assert.equal(counted.sfdisk(), 1);
    assert.deepEqual(table, sfdiskSays(mbr));
    assert.equal(table?.label, 'dos');
    const blank = image('blank.raw');
    const none = countingSfdisk();
    assert.equal(await readPartitionTable(none.runner, blank), undefined);
    assert.equal(sfdiskSays(blank), undefined);
    assert.equal(none.sfdisk(), 0);
  });

  it('a GPT on a loop device is read in-process too', ROOT_ONLY, async () => {
    const file = image('loop.raw', `label: gpt\nstart=2048, size=4096, type=${ESP}\nstart=6144, type=${ROOT_X86_64}\n`);
    const loop = attachTestLoop(file);
    try {
      const { runner, sfdisk } = countingSfdisk();
      assert.deepEqual(await readPartitionTable(runner, loop), sfdiskSays(loop));
      assert.equal(sfdisk(), 0);
    } finally {
      detachTestLoop(loop);
    }
  });
});
