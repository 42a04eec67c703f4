import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalImageStore } from '@aminator/local-store';
import debian from '@aminator/os-debian';
import { createTestCommandContext, ROOT_ONLY } from '@aminator/testkit';
import { runFoundation } from '../src/commands/foundation-command.js';
import { foundationSteps } from '../src/foundation/build-foundation.js';

/** A mirror nobody answers on: debootstrap fails at once, after the disk was partitioned, formatted and mounted. */
const DEAD_MIRROR = 'http://127.0.0.1:9/debian';

describe('aminate foundation runs as a bake does: named steps, one frame, one cleanup stack', ROOT_ONLY, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-foundation-frame-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  function world(name: string, failpoints?: string) {
    const dir = join(scratch, name);
    mkdirSync(dir);
    const test = createTestCommandContext({ command: 'foundation', workRoot: join(dir, 'work'), lockDir: join(dir, 'locks'), failpoints, plugins: [debian] });
    const store = new LocalImageStore(join(dir, 'store'));
    const imagesLeft = () => (existsSync(join(dir, 'store', 'images')) ? readdirSync(join(dir, 'store', 'images')) : []);
    const locksLeft = () => (existsSync(join(dir, 'locks')) ? readdirSync(join(dir, 'locks')) : []);
    return { dir, ...test, store, imagesLeft, locksLeft };
  }

  it('refuses a work root others can write before it stages or mounts anything, and leaves no lock behind', async () => {
    const w = world('unsafe');
    const workRoot = join(w.dir, 'work');
    mkdirSync(workRoot);
    chmodSync(workRoot, 0o777);
    const outcome = await runFoundation({ name: 'frame-test', minimal: true, suite: 'bookworm', mirror: DEAD_MIRROR }, w.store, w.ctx);
    assert.equal(outcome.status, 'failed');
    assert.equal((outcome.error as { code?: string }).code, 'E_UNSAFE_PATH');
    assert.deepEqual(outcome.cleanupErrors, []);
    const failed = w.events.ofType('step-end').find((e) => e.status === 'failed');
    assert.equal(failed?.step, 'create-disk', 'the frame is taken in the first step that acquires');
    assert.deepEqual(readdirSync(workRoot), [], 'no work directory made');
    assert.deepEqual(w.imagesLeft(), [], 'nothing staged');
    assert.deepEqual(w.locksLeft(), [], 'the run lock was released');
  });

  it('a failed install (mirror down) undoes every step in reverse, each undo an event, and leaves nothing', async () => {
    const w = world('dead-mirror');
    const outcome = await runFoundation({ name: 'dead-mirror', minimal: true, suite: 'bookworm', mirror: DEAD_MIRROR, size: '600M' }, w.store, w.ctx);
    assert.equal(outcome.status, 'failed', String(outcome.error));
    const start = w.events.ofType('run-start')[0];
    assert.equal(start?.kind, 'command');
    assert.equal(start?.command, 'foundation');
    assert.deepEqual(start?.steps, [...foundationSteps(false), 'cleanup']);
    assert.deepEqual(
      w.events.ofType('step-end').map((e) => `${e.step} ${e.status}`),
      ['plan succeeded', 'create-disk succeeded', 'partition succeeded', 'install failed'],
    );
    const failed = w.events.ofType('result')[0];
    assert.equal(failed?.error?.step, 'install');
    const undone = w.events.ofType('undo').map((e) => `${e.status} ${e.description.replace(/ \S+$/, ' …')}`);
    assert.deepEqual(undone, [
      'succeeded unmount …',
      'succeeded remove …',
      'succeeded detach …',
      'succeeded remove unfinished image …',
      'succeeded release the stage lock of …',
      'succeeded remove work directory …',
      'succeeded release run lock …',
    ]);
    assert.ok(
      w.events.ofType('resource').some((e) => e.action === 'acquired' && e.resource.kind === 'staged-image'),
      'the staged image is a resource of create-disk',
    );
    assert.deepEqual(w.imagesLeft(), [], 'the staged image was removed');
    assert.deepEqual(w.locksLeft(), []);
    assert.deepEqual(readdirSync(join(w.dir, 'work')), []);
    assert.doesNotMatch(
      execFileSync('losetup', ['--list', '--noheadings', '--output', 'BACK-FILE'], { encoding: 'utf8' }),
      new RegExp(w.dir),
      'no loop device left',
    );
    assert.doesNotMatch(execFileSync('findmnt', ['--list', '--noheadings', '--output', 'TARGET'], { encoding: 'utf8' }), new RegExp(w.dir), 'no mount left');
  });

  it('a failpoint names a foundation step; one naming no step of it is refused before anything runs', async () => {
    const w = world('failpoint', 'partition:error');
    const outcome = await runFoundation({ name: 'failpoint', minimal: true, suite: 'bookworm', mirror: DEAD_MIRROR }, w.store, w.ctx);
    assert.equal((outcome.error as { code?: string }).code, 'E_FAILPOINT');
    assert.deepEqual(
      w.events.ofType('step-end').map((e) => `${e.step} ${e.status}`),
      ['plan succeeded', 'create-disk succeeded', 'partition failed'],
    );
    assert.deepEqual(w.imagesLeft(), []);
    assert.deepEqual(w.locksLeft(), []);

    const typo = world('failpoint-typo', 'provision:error');
    await assert.rejects(runFoundation({ name: 'typo', minimal: true, suite: 'bookworm', mirror: DEAD_MIRROR }, typo.store, typo.ctx), {
      code: 'E_USAGE',
      message: /unknown step "provision"/,
    });
    assert.deepEqual(typo.events.events, [], 'no run started');
  });

  it('--dry-run checks and plans, and makes nothing: no store, no work directory, no lock', async () => {
    const w = world('dry');
    const outcome = await runFoundation({ name: 'dry', suite: 'bookworm', mirror: DEAD_MIRROR, dryRun: true }, w.store, w.ctx);
    assert.equal(outcome.status, 'planned', String(outcome.error));
    assert.deepEqual(w.events.ofType('run-start')[0]?.steps, ['plan']);
    const machine = process.arch === 'arm64' ? 'arm64' : 'x86_64';
    assert.match(outcome.planLines?.join('\n') ?? '', new RegExp(`image: dry: debian bookworm, ${machine}, 2G ext4, gpt, bootable`));
    assert.match(outcome.planLines?.join('\n') ?? '', new RegExp(`from: ${DEAD_MIRROR}`));
    assert.equal(existsSync(join(w.dir, 'store')), false);
    assert.equal(existsSync(join(w.dir, 'work')), false);
    assert.deepEqual(w.locksLeft(), []);
  });

  it('refuses an architecture it does not know before anything runs, naming those it does', async () => {
    const w = world('arch');
    await assert.rejects(runFoundation({ name: 'arch', suite: 'bookworm', mirror: DEAD_MIRROR, arch: 'sparc64', dryRun: true }, w.store, w.ctx), {
      code: 'E_INVALID_INPUT',
      message: /--arch.*sparc64/,
    });
    assert.deepEqual(w.events.events, [], 'no run started');
  });
});
