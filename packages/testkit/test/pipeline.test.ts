import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BAKE_STEPS, type BakeStep, bakeSteps, ErrorCodes, InterruptedError, isAminatorError } from '@aminator/core/internal';
import { type FakeBakeResult, runFakeBake } from '../src/index.js';

/** Every acquired resource (but the kinds kept on success) was released, and nothing is live. */
function assertUnwoundInReverse(result: FakeBakeResult, keep: readonly string[] = []): void {
  const acquired = result.world.journal.filter((e) => e.action === 'acquire' && !keep.includes(e.kind)).map((e) => `${e.kind}:${e.id}`);
  const released = result.world.journal.filter((e) => e.action === 'release').map((e) => `${e.kind}:${e.id}`);
  assert.deepEqual([...released].sort(), [...acquired].sort(), 'every acquired resource released');
  assert.deepEqual(
    result.world.live().filter((r) => !keep.includes(r.kind)),
    [],
  );
}

/** Acquisitions released during teardown and at the end, each group in reverse order. */
function releaseOrderIsReverse(result: FakeBakeResult): boolean {
  const order = result.world.journal.map((e) => `${e.action}:${e.kind}:${e.id}`);
  const stack: string[] = [];
  for (const entry of order) {
    const [action, ...rest] = entry.split(':');
    const key = rest.join(':');
    if (action === 'acquire') {
      stack.push(key);
      continue;
    }
    const index = stack.lastIndexOf(key);
    // Only on-failure products (images) may be skipped over; anything else released out of order fails.
    if (stack.slice(index + 1).some((k) => !k.startsWith('image:'))) return false;
    stack.splice(index, 1);
  }
  return true;
}

const METHOD_OF_STEP: Partial<Record<BakeStep, string>> = {
  plan: 'resolveBaseImage',
  'create-volume': 'createVolume',
  'attach-volume': 'attachVolume',
  'mount-volume': 'mount',
  'prepare-chroot': 'prepareChroot',
  provision: 'provision',
  finalize: 'finalize',
};

/** The steps of a bake that does not ask for the optional ones (verify). */
const ALWAYS = bakeSteps({ verify: false });

describe('bake pipeline with the testkit fakes', () => {
  it('succeeds: every step in order, image kept, everything else released in reverse', async () => {
    const result = await runFakeBake({ packageSpec: 'hello' });
    assert.equal(result.outcome.status, 'succeeded');
    assert.equal(result.outcome.exitCode, 0);
    assert.equal(result.outcome.image?.name, 'hello-1.0-1-amd64');
    assert.deepEqual(
      result.outcome.steps.map((s) => s.name),
      ALWAYS,
    );
    assert.deepEqual(
      result.events.ofType('step-start').map((e) => e.step),
      ALWAYS,
    );
    assert.deepEqual(result.events.ofType('run-start')[0]?.steps, ALWAYS, 'verify is not announced when not asked for');
    assert.ok(result.events.ofType('step-end').every((e) => e.status === 'succeeded' && e.durationMs >= 0));
    assertUnwoundInReverse(result, ['image']);
    assert.ok(releaseOrderIsReverse(result));
    assert.deepEqual(
      result.world.live().map((r) => r.kind),
      ['image'],
    );
    const final = result.events.events.at(-1);
    assert.equal(final?.type, 'result');
    assert.equal(result.metrics.timers.filter((t) => t.name === 'aminator.step.duration').length, ALWAYS.length);
    assert.equal(result.metrics.flushed, 1);
    assert.deepEqual(
      result.metrics.counters.find((c) => c.name === 'aminator.run.count')?.tags,
      { kind: 'bake', status: 'succeeded' },
      'runs are counted by kind',
    );
    const mountStep = result.events.ofType('step-end').find((e) => e.step === 'mount-volume');
    assert.equal(mountStep?.resources[0]?.kind, 'mount');
  });

  for (const [step, method] of Object.entries(METHOD_OF_STEP)) {
    it(`a failure in ${step} (${method}) undoes everything in reverse and exits 1 with the error code`, async () => {
      const result = await runFakeBake({ failAt: method });
      assert.equal(result.outcome.status, 'failed');
      assert.equal(result.outcome.exitCode, 1);
      const summary = result.events.ofType('result')[0]?.error;
      assert.equal(summary?.code, 'E_FAKE_FAILURE');
      assert.equal(summary?.step, step);
      assertUnwoundInReverse(result);
      assert.ok(releaseOrderIsReverse(result));
      assert.deepEqual(result.world.live(), []);
    });
  }

  for (const step of BAKE_STEPS) {
    it(`an injected failpoint error at ${step} leaves nothing behind`, async () => {
      const result = await runFakeBake({ failpoints: [{ step, action: 'error' }], verify: step === 'verify' ? {} : undefined });
      assert.equal(result.outcome.exitCode, 1);
      assert.equal(result.events.ofType('result')[0]?.error?.code, ErrorCodes.FAILPOINT);
      assert.equal(result.events.ofType('result')[0]?.error?.step, step);
      assert.deepEqual(result.world.live(), []);
    });
  }

  for (const signal of ['SIGINT', 'SIGTERM']) {
    it(`${signal} during a step stops it, runs every undo and exits 130`, async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new InterruptedError(signal)), 50);
      const result = await runFakeBake({ hangAt: 'provision', signal: controller.signal });
      assert.equal(result.outcome.status, 'interrupted');
      assert.equal(result.outcome.exitCode, 130);
      assert.equal(result.events.ofType('step-end').at(-1)?.status, 'interrupted');
      assertUnwoundInReverse(result);
      assert.deepEqual(result.world.live(), []);
    });
  }

  it("a plugin's abortRun from a timer (a lost lease) fails the step in progress with its error: everything undone, the run failed, not interrupted", async () => {
    const result = await runFakeBake({ abortRunFrom: 'createVolume', abortRunAfterMs: 50, hangAt: 'provision' });
    assert.equal(result.outcome.status, 'failed');
    assert.equal(result.outcome.exitCode, 75, "the error's own exit code (retryable)");
    assert.ok(isAminatorError(result.outcome.error));
    assert.equal(result.outcome.error.code, 'E_FAKE_STOP');
    const last = result.events.ofType('step-end').at(-1);
    assert.equal(last?.step, 'provision');
    assert.equal(last?.status, 'failed');
    assert.equal(last?.error?.code, 'E_FAKE_STOP');
    assertUnwoundInReverse(result);
    assert.deepEqual(result.world.live(), []);
  });

  it('abortRun armed in one step stops a later one: no image is made, and the run fails with the error', async () => {
    const result = await runFakeBake({ abortRunFrom: 'createVolume', abortRunAfterMs: 0, delayMs: 30 });
    assert.equal(result.outcome.status, 'failed');
    assert.ok(isAminatorError(result.outcome.error));
    assert.equal(result.outcome.error.code, 'E_FAKE_STOP');
    assert.ok(!result.events.ofType('step-start').some((e) => e.step === 'finalize'), 'no image made');
    assert.deepEqual(result.world.live(), []);
  });

  it('a step that ignores the interruption is left behind after the grace period: cleanup runs without it', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new InterruptedError('SIGTERM')), 100);
    const result = await runFakeBake({ ignoreAbortAt: 'provision', ignoreAbortMs: 4_000, signal: controller.signal, abortGraceMs: 300 });
    const elapsedMs = Date.now() - started;
    assert.equal(result.outcome.status, 'interrupted');
    assert.equal(result.outcome.exitCode, 130);
    assert.equal(result.events.ofType('step-end').at(-1)?.step, 'provision');
    assert.ok(elapsedMs >= 400, `cleanup waited the grace period first (${elapsedMs} ms)`);
    assert.ok(elapsedMs < 3_000, `and did not wait for the step (${elapsedMs} ms; it runs 4 s)`);
    assertUnwoundInReverse(result);
    assert.deepEqual(result.world.live(), []);
  });

  it('--preserve-on-error keeps what the bake holds and says how to remove it', async () => {
    const result = await runFakeBake({ failAt: 'provision', preserveOnError: true });
    assert.equal(result.outcome.exitCode, 1);
    const kinds = result.world
      .live()
      .map((r) => r.kind)
      .sort();
    assert.deepEqual(kinds, ['attachment', 'bind', 'bind', 'mount', 'volume']);
    const kept = result.events.ofType('result')[0]?.kept ?? [];
    assert.ok(kept.some((k) => k.manual.some((argv) => argv[0] === 'fake-delete')));
    assert.ok(kept.some((k) => k.description.startsWith('remove work directory')));
  });

  it('--verify: the verifier gets the registered image as a disk between finalize and cleanup; the disk is released, the image kept', async () => {
    const result = await runFakeBake({ verify: {} });
    assert.equal(result.outcome.status, 'succeeded', String(result.outcome.error));
    assert.deepEqual(
      result.outcome.steps.map((s) => s.name),
      [...BAKE_STEPS],
    );
    const verified = result.verifier?.verified[0];
    assert.equal(verified?.input.image.id, result.outcome.image?.id);
    assert.deepEqual(verified?.input.disk.bootModes, ['uefi', 'bios']);
    assert.equal(verified?.diskHeld, true, 'the cloud held the image disk while the verifier ran');
    assert.deepEqual(
      result.world.live().map((r) => r.kind),
      ['image'],
    );
    assert.ok(releaseOrderIsReverse(result));
  });

  it('--verify on a cloud without imageDisk: core makes a volume from the image, attaches it, and releases both after the verify', async () => {
    const result = await runFakeBake({ verify: { byVolume: true } });
    assert.equal(result.outcome.status, 'succeeded', String(result.outcome.error));
    const verifyResources = result.events
      .ofType('step-end')
      .find((e) => e.step === 'verify')
      ?.resources.map((r) => r.kind);
    assert.deepEqual(verifyResources, ['volume', 'attachment']);
    assert.match(result.verifier?.verified[0]?.input.disk.path ?? '', /^\/fake\/dev\/vol-/, 'the node the cloud attached');
    assert.deepEqual(
      result.world.live().map((r) => r.kind),
      ['image'],
    );
    assert.ok(releaseOrderIsReverse(result));
  });

  it('a failed verification exits 1 with E_VERIFY_FAILED and the evidence, and removes the image', async () => {
    const result = await runFakeBake({ verify: {}, failAt: 'verify' });
    assert.equal(result.outcome.status, 'failed');
    assert.equal(result.outcome.exitCode, 1);
    const error = result.events.ofType('result')[0]?.error;
    assert.equal(error?.code, ErrorCodes.VERIFY_FAILED);
    assert.equal(error?.step, 'verify');
    assert.match(error?.message ?? '', /the image boots \(failAt=verify\)[\s\S]*kernel panic/);
    assert.deepEqual(result.world.live(), [], 'the image and its disk are gone');
  });

  it('--keep-unverified keeps an image that failed verification, and the bake still exits 1', async () => {
    const result = await runFakeBake({ verify: { keepUnverified: true }, failAt: 'verify' });
    assert.equal(result.outcome.status, 'failed');
    assert.equal(result.outcome.exitCode, 1);
    assert.equal(result.events.ofType('result')[0]?.error?.code, ErrorCodes.VERIFY_FAILED);
    assert.deepEqual(
      result.world.live().map((r) => r.kind),
      ['image'],
      'the image stays; the disk, volume and locks are released',
    );
    assert.equal(result.events.ofType('result')[0]?.image?.id, result.outcome.image?.id);
  });

  it('verifyImage (aminate verify): plan, verify, cleanup on an image that exists; the disk held only meanwhile, nothing made', async () => {
    const result = await runFakeBake({ verifyImage: 'img-stored' });
    assert.equal(result.outcome.status, 'succeeded', String(result.outcome.error));
    assert.deepEqual(
      result.outcome.steps.map((s) => s.name),
      ['plan', 'verify', 'cleanup'],
    );
    const verified = result.verifier?.verified[0];
    assert.equal(verified?.input.image.id, 'img-stored');
    assert.equal(verified?.input.package, undefined);
    assert.equal(verified?.diskHeld, true);
    assert.deepEqual(result.world.live(), []);
    assert.deepEqual(
      result.world.journal.map((e) => `${e.action} ${e.kind}`).filter((e) => !e.endsWith(' lock')),
      ['acquire image-disk', 'release image-disk'],
    );
    assert.equal(result.events.ofType('run-start')[0]?.image, 'img-stored');
    assert.deepEqual(
      result.events.ofType('result')[0]?.verification?.checks.map((c) => c.ok),
      [true, true, true],
    );
  });

  it("verifyImage: a failed check exits 1 with E_VERIFY_FAILED and removes nothing (the image was not the run's to remove)", async () => {
    const result = await runFakeBake({ verifyImage: 'img-stored', failAt: 'verify' });
    assert.equal(result.outcome.exitCode, 1);
    assert.equal(result.events.ofType('result')[0]?.error?.code, ErrorCodes.VERIFY_FAILED);
    assert.deepEqual(result.world.live(), []);
    assert.ok(!result.world.journal.some((e) => e.kind === 'image'), 'no image was touched');
  });

  it('verifyImage --dry-run resolves the image, plans the checks and acquires nothing', async () => {
    const result = await runFakeBake({ verifyImage: 'img-stored', dryRun: true });
    assert.equal(result.outcome.status, 'planned');
    assert.deepEqual(result.world.journal, []);
    assert.deepEqual(result.events.ofType('result')[0]?.plan?.lines, [
      'image: fake-base (img-stored)',
      'verifier fake: the image disk is named and has a boot loader',
    ]);
  });

  it('when several undos fail in one unwind, the first fails the step and every other is in the result (none dropped)', async () => {
    const result = await runFakeBake({ failRelease: 'bind' });
    assert.equal(result.outcome.status, 'failed');
    assert.equal(result.outcome.error && (result.outcome.error as Error).message.includes('fake failure releasing bind'), true, String(result.outcome.error));
    const all = [result.outcome.error, ...result.outcome.cleanupErrors].map((e) => String((e as Error).message));
    assert.equal(all.filter((m) => m.includes('fake failure releasing bind')).length, 2, all.join('\n'));
  });

  it('--dry-run plans and acquires nothing', async () => {
    const result = await runFakeBake({ dryRun: true });
    assert.equal(result.outcome.status, 'planned');
    assert.equal(result.outcome.exitCode, 0);
    assert.deepEqual(result.world.journal, []);
    assert.equal(result.events.ofType('result')[0]?.plan?.baseImage?.id, 'img-fakebase');
  });

  it('refuses a bad package spec with exit 2 before acquiring anything', async () => {
    const result = await runFakeBake({ packageSpec: '-oAPT::Get=evil' });
    assert.equal(result.outcome.exitCode, 2);
    assert.equal(result.events.ofType('result')[0]?.error?.code, ErrorCodes.INVALID_INPUT);
    assert.deepEqual(result.world.journal, []);
  });
});
