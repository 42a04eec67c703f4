import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, FileLockManager } from '@aminator/core';
import { createTestStepContext, ROOT_ONLY } from '@aminator/testkit';
import { assertNoLeaks, attachTestLoop, detachTestLoop, type HostSnapshot, sh, snapshotHost } from '@aminator/testkit/linux';
import { DeviceSlots, ec2ConfigSchema, nvmeLink } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..', '..');

describe('cloud ec2 device slots', () => {
  it('accepts device names under /dev only, and sd or xvd', () => {
    for (const bad of [{ device: '/etc/passwd' }, { device: '/dev/../etc' }, { devicePrefix: 'hd' }, { deviceLetters: 'F' }]) {
      assert.equal(ec2ConfigSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
    assert.equal(ec2ConfigSchema.parse({ devicePrefix: 'xvd' }).deviceLetters, 'fghijklmnop');
  });
});

describe('cloud ec2 device slots on a host', ROOT_ONLY, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-bd-test-'));
  const devRoot = join(scratch, 'dev');
  const byId = join(scratch, 'by-id');
  const lockDir = join(scratch, 'locks');
  mkdirSync(devRoot);
  mkdirSync(byId);
  let host: HostSnapshot;
  before(() => {
    host = snapshotHost();
  });
  after(() => {
    rmSync(scratch, { recursive: true, force: true });
    assertNoLeaks(host, { within: [scratch] });
  });
  const make = (config: Record<string, unknown> = {}, runId = 'test'): DeviceSlots =>
    new DeviceSlots(ec2ConfigSchema.parse({ devRoot, byIdDir: byId, nodeTimeoutMs: 3000, ...config }), new FileLockManager(lockDir, runId));

  it('skips slots whose sd or xvd node exists or that the cloud reports attached', async () => {
    writeFileSync(join(devRoot, 'xvdf'), '');
    const { ctx, stack } = createTestStepContext();
    assert.equal(await make().claim(['/dev/sdg'], ctx), '/dev/sdh');
    await stack.unwind({ reason: 'success' });
    rmSync(join(devRoot, 'xvdf'));
  });

  it('gives 8 concurrent allocations 8 distinct devices, and releases every lock', async () => {
    const runs = Array.from({ length: 8 }, (_, i) => ({ plugin: make({}, `run-${i}`), ...createTestStepContext() }));
    const names = await Promise.all(runs.map((r) => r.plugin.claim([], r.ctx)));
    assert.equal(new Set(names).size, 8, names.join(' '));
    await Promise.all(runs.map((r) => r.stack.unwind({ reason: 'success' })));
    assert.deepEqual(sh('ls', ['-A', lockDir]).trim(), '');
  });

  it('reclaims the lock of a holder that was killed', async () => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      import { FileLockManager } from '@aminator/core';
      const lock = await new FileLockManager(${JSON.stringify(lockDir)}, 'doomed').tryAcquire('blockdevice-f');
      console.log(lock ? 'held' : 'busy');
      setInterval(() => {}, 1000);
    `,
      ],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const { ctx: busyCtx, stack: busyStack } = createTestStepContext();
    assert.equal(await make({}, 'a').claim([], busyCtx), '/dev/sdg', 'the live holder keeps sdf');
    await busyStack.unwind({ reason: 'success' });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const { ctx, stack } = createTestStepContext();
    assert.equal(await make({}, 'b').claim([], ctx), '/dev/sdf', 'the stale lock is reclaimed');
    await stack.unwind({ reason: 'success' });
  });

  it('uses --block-device verbatim, locked', async () => {
    const { ctx, stack } = createTestStepContext();
    assert.equal(await make({ device: '/dev/xvdq' }).claim([], ctx), '/dev/xvdq');
    await assert.rejects(make({ device: '/dev/xvdq' }, 'other').claim([], createTestStepContext().ctx), { code: 'E_NO_FREE_DEVICE' });
    await stack.unwind({ reason: 'success' });
  });

  it('says so when every slot is taken', async () => {
    const { ctx } = createTestStepContext();
    await assert.rejects(make({ deviceLetters: 'f' }).claim(['/dev/sdf'], ctx), { code: 'E_NO_FREE_DEVICE' });
  });

  describe('finding the node of an attached volume (real loop device)', () => {
    const image = join(scratch, 'disk.img');
    writeFileSync(image, '');
    truncateSync(image, 8 * 1024 * 1024);
    let loop = '';
    before(() => {
      loop = attachTestLoop(image);
    });
    after(() => {
      detachTestLoop(loop);
    });

    it('finds the xvd twin of the requested sd name within about a second of it appearing', async () => {
      const { ctx } = createTestStepContext();
      setTimeout(() => symlinkSync(loop, join(devRoot, 'xvdk')), 300);
      const started = Date.now();
      assert.equal(await make().waitForNode('vol-2', '/dev/sdk', ctx), join(devRoot, 'xvdk'), 'the name as found: its partitions are xvdk1, …');
      assert.ok(Date.now() - started < 1800, `took ${Date.now() - started} ms`);
      rmSync(join(devRoot, 'xvdk'));
    });

    it('finds an NVMe volume by its by-id link', async () => {
      const { ctx } = createTestStepContext();
      symlinkSync(loop, nvmeLink(byId, 'vol-0abc'));
      assert.equal(await make().waitForNode('vol-0abc', '/dev/sdl', ctx), nvmeLink(byId, 'vol-0abc'));
    });

    it('times out with a clear error when no node appears, and stops at once when aborted', async () => {
      const { ctx } = createTestStepContext();
      await assert.rejects(make({ nodeTimeoutMs: 300 }).waitForNode('vol-x', '/dev/sdm', ctx), { code: ErrorCodes.TIMEOUT });
      const aborted = createTestStepContext();
      setTimeout(() => aborted.abort.abort(new Error('stop')), 100);
      await assert.rejects(make().waitForNode('vol-y', '/dev/sdn', aborted.ctx), /stop/);
    });
  });
});
