import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ProcessCommandRunner, type StepContext } from '@aminator/core/internal';
import { createTestStepContext, describePluginConformance, ROOT_ONLY, type TestStepContext, unwindAfter } from '@aminator/testkit';
import { assertNoLeaks, attachTestLoop, detachTestLoop, type HostSnapshot, makeDiskImage, sh, snapshotHost } from '@aminator/testkit/linux';
import plugin, { LinuxVolumes, volumeConfigSchema } from '../src/index.js';

/** A cleanup command whose failure (nothing left to undo) is not the test's concern. */
function spawnSyncQuiet(command: string, args: readonly string[]): void {
  spawnSync(command, args, { stdio: 'ignore' });
}

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MiB = 1024 * 1024;

describePluginConformance(plugin, { packageDir, config: { partition: 1 }, invalidConfigs: [{ partition: 0 }, { mountOptions: ['ro;x'] }, { grow: 'yes' }] });

describe('volume-linux on real loop devices', ROOT_ONLY, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-vol-test-'));
  let host: HostSnapshot;
  before(() => {
    host = snapshotHost();
  });
  after(() => {
    rmSync(scratch, { recursive: true, force: true });
    assertNoLeaks(host, { within: [scratch] });
  });
  let counter = 0;

  /** Attach an image as a whole-disk loop device (the "attached volume"), run `body`, always clean up. */
  async function withVolume(
    image: string,
    config: Record<string, unknown>,
    body: (mounted: Awaited<ReturnType<LinuxVolumes['mount']>>, t: TestStepContext) => Promise<void>,
  ): Promise<void> {
    const workDir = join(scratch, `work-${++counter}`);
    sh('mkdir', ['-p', workDir]);
    const loop = attachTestLoop(image);
    const harness = createTestStepContext({ workDir });
    await unwindAfter(
      harness,
      async () => {
        const volumes = new LinuxVolumes(volumeConfigSchema.parse(config), new ProcessCommandRunner(harness.ctx.log));
        await body(await volumes.mount(loop, harness.ctx), harness);
      },
      () => detachTestLoop(loop),
    );
  }

  it('mounts the root partition of a GPT disk through a loop device at its offset, and undoes it all', async () => {
    const image = join(scratch, 'gpt.img');
    makeDiskImage(image, { sizeBytes: 64 * MiB, table: 'gpt', fs: 'ext4', files: { '/etc/marker': 'gpt-root\n' } });
    await withVolume(image, { grow: false }, async (mounted) => {
      assert.equal(readFileSync(join(mounted.root, 'etc/marker'), 'utf8'), 'gpt-root\n');
      assert.equal(mounted.partition, 1);
      assert.equal(mounted.fsType, 'ext4');
      assert.match(mounted.device, /^\/dev\/loop\d+(p1)?$/);
    });
  });

  it("uses a partition node the host presents (here a loop at the partition's offset behind an xvdf1 link) instead of making one", async () => {
    const image = join(scratch, 'presented.img');
    const { partitionOffset } = makeDiskImage(image, { sizeBytes: 64 * MiB, table: 'gpt', fs: 'ext4', files: { '/etc/marker': 'presented\n' } });
    const table = JSON.parse(sh('sfdisk', ['--json', image])).partitiontable;
    const devDir = join(scratch, 'presented-dev');
    mkdirSync(devDir);
    const disk = attachTestLoop(image);
    const part = attachTestLoop(image, { offset: partitionOffset, size: table.partitions[0].size * 512 });
    symlinkSync(disk, join(devDir, 'xvdf'));
    symlinkSync(part, join(devDir, 'xvdf1'));
    const harness = createTestStepContext({ workDir: join(scratch, 'work-presented') });
    sh('mkdir', ['-p', join(scratch, 'work-presented')]);
    await unwindAfter(
      harness,
      async () => {
        const loopsBefore = sh('losetup', ['--list', '--noheadings', '--output', 'NAME']).split('\n').filter(Boolean).length;
        const mounted = await new LinuxVolumes(volumeConfigSchema.parse({}), new ProcessCommandRunner(harness.ctx.log)).mount(
          join(devDir, 'xvdf'),
          harness.ctx,
        );
        assert.equal(mounted.device, join(devDir, 'xvdf1'));
        assert.equal(readFileSync(join(mounted.root, 'etc/marker'), 'utf8'), 'presented\n');
        assert.equal(
          sh('losetup', ['--list', '--noheadings', '--output', 'NAME']).split('\n').filter(Boolean).length,
          loopsBefore,
          'no loop device of its own',
        );
      },
      () => {
        detachTestLoop(part);
        detachTestLoop(disk);
      },
    );
  });

  it('writes ext4 without barriers — an fsync inside sends the device no flush — and flushes the device once it is unmounted; writeBarriers keeps them', async () => {
    const image = join(scratch, 'barriers.img');
    makeDiskImage(image, { sizeBytes: 64 * MiB, table: 'none', fs: 'ext4' });
    // Flush requests the device completed: field 16 of its sysfs stat.
    const flushes = (loop: string): number =>
      Number(
        readFileSync(`/sys/block/${loop.replace('/dev/', '')}/stat`, 'utf8')
          .trim()
          .split(/\s+/)[15],
      );
    for (const writeBarriers of [false, true]) {
      const workDir = join(scratch, `work-${++counter}`);
      mkdirSync(workDir);
      const loop = attachTestLoop(image);
      const harness = createTestStepContext({ workDir });
      let fsyncFlushes = Number.NaN;
      let beforeUndo = Number.NaN;
      let afterUndo = Number.NaN;
      await unwindAfter(
        harness,
        async () => {
          const volumes = new LinuxVolumes(volumeConfigSchema.parse({ writeBarriers }), new ProcessCommandRunner(harness.ctx.log));
          const mounted = await volumes.mount(loop, harness.ctx);
          const options = sh('findmnt', ['-no', 'OPTIONS', mounted.root]).trim();
          assert.equal(options.split(',').includes('nobarrier'), !writeBarriers, `${mounted.fsType} mounted ${options}`);
          const before = flushes(loop);
          const fd = openSync(join(mounted.root, 'written'), 'w');
          try {
            writeSync(fd, 'data\n');
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
          fsyncFlushes = flushes(loop) - before;
          beforeUndo = flushes(loop);
        },
        () => {
          afterUndo = flushes(loop);
          detachTestLoop(loop);
        },
      );
      if (writeBarriers) assert.ok(fsyncFlushes > 0, 'with barriers the fsync flushes the device');
      else assert.equal(fsyncFlushes, 0, 'without barriers the fsync reaches the device but flushes nothing');
      assert.ok(afterUndo > beforeUndo, `unmounting ends with a flush of the device (${beforeUndo} → ${afterUndo})`);
    }
  });

  it('mounts a whole-disk xfs file system', async () => {
    const image = join(scratch, 'whole.img');
    makeDiskImage(image, { sizeBytes: 320 * MiB, table: 'none', fs: 'xfs', files: { '/marker': 'xfs\n' } });
    await withVolume(image, {}, async (mounted) => {
      assert.equal(mounted.fsType, 'xfs');
      assert.equal(mounted.partition, undefined);
      assert.equal(readFileSync(join(mounted.root, 'marker'), 'utf8'), 'xfs\n');
    });
  });

  it('mounts partition N of an MBR disk when asked', async () => {
    const image = join(scratch, 'mbr.img');
    makeDiskImage(image, { sizeBytes: 64 * MiB, table: 'mbr', fs: 'ext4', files: { '/marker': 'mbr\n' } });
    await withVolume(image, { partition: 1, grow: false }, async (mounted) => {
      assert.equal(readFileSync(join(mounted.root, 'marker'), 'utf8'), 'mbr\n');
    });
    await assert.rejects(
      withVolume(image, { partition: 2 }, async () => undefined),
      { code: 'E_NO_ROOT_PARTITION' },
    );
  });

  for (const fs of ['ext4', 'xfs'] as const) {
    it(`grows a 1 GiB ${fs} image attached as a 2 GiB volume to a 2 GiB file system`, async () => {
      const image = join(scratch, `grow-${fs}.img`);
      makeDiskImage(image, { sizeBytes: 1024 * MiB, table: 'gpt', fs });
      truncateSync(image, 2048 * MiB);
      await withVolume(image, {}, async (mounted) => {
        const size = Number(sh('df', ['-B1', '--output=size', mounted.root]).split('\n')[1]);
        assert.ok(size > 1900 * MiB && size <= 2048 * MiB, `file system is ${size} bytes`);
      });
    });
  }

  it('refuses a device with no file system it knows', async () => {
    const image = join(scratch, 'blank.img');
    sh('truncate', ['-s', String(16 * MiB), image]);
    await assert.rejects(
      withVolume(image, {}, async () => undefined),
      { code: 'E_UNSUPPORTED_FS' },
    );
  });

  describe('busy unmount', () => {
    const image = join(scratch, 'busy.img');
    before(() => makeDiskImage(image, { sizeBytes: 32 * MiB, table: 'none', fs: 'ext4' }));

    it('names the pid holding the mount when it stays busy past the retry bound', async () => {
      // Not through withVolume: its final unwind must not run while the holder still pins the mount.
      const workDir = join(scratch, `work-${++counter}`);
      sh('mkdir', ['-p', workDir]);
      const loop = attachTestLoop(image);
      const harness = createTestStepContext({ workDir });
      const volumes = new LinuxVolumes(volumeConfigSchema.parse({ unmountRetryMs: 1200 }), new ProcessCommandRunner(harness.ctx.log));
      let holder: ReturnType<typeof spawn> | undefined;
      let root = '';
      let elapsedMs = 0;
      let errors: Error[] = [];
      try {
        const mounted = await volumes.mount(loop, harness.ctx);
        root = mounted.root;
        holder = spawn('sleep', ['30'], { cwd: root, stdio: 'ignore' });
        await new Promise((resolve) => setTimeout(resolve, 100));
        const started = Date.now();
        errors = [...(await harness.stack.unwind({ reason: 'failure' })).errors];
        elapsedMs = Date.now() - started;
      } finally {
        holder?.kill('SIGKILL');
        if (holder && holder.exitCode === null && holder.signalCode === null) await new Promise((resolve) => holder?.once('exit', resolve));
        if (root && existsSync(root)) {
          spawnSyncQuiet('umount', [root]);
          spawnSyncQuiet('rmdir', [root]);
        }
        detachTestLoop(loop);
      }
      const error = errors.find((e) => /unmount/.test(e.message));
      assert.ok(error, `the unmount failed: ${errors.map((e) => e.message).join('; ')}`);
      assert.match(String((error.cause as Error).message), new RegExp(`held by pid ${holder?.pid} \\(sleep\\)`));
      assert.ok(elapsedMs < 5000, `gave up after ${elapsedMs} ms (bound 1200 ms)`);
    });

    it('succeeds when the holder exits within the bound', async () => {
      await withVolume(image, { unmountRetryMs: 5000 }, async (mounted) => {
        spawn('sleep', ['0.7'], { cwd: mounted.root, stdio: 'ignore' });
        await new Promise((resolve) => setTimeout(resolve, 100));
      });
    });
  });

  it('leaves no directory behind in the work dir', () => {
    for (let i = 1; i <= counter; i++) assert.equal(existsSync(join(scratch, `work-${i}`, 'root')), false, `work-${i}/root left`);
  });
});

export type { StepContext };
