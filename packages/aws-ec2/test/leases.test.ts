import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAminatorError, type LeftoverContext } from '@aminator/core';
import { createTestStepContext } from '@aminator/testkit';
import { Ec2TestEndpoint } from '@aminator/testkit/ec2';
import { abandonment, Ec2Session, expiredLease, hostFilters, LEASE_TAG, LeaseKeeper, leaseTag, leaseTermsOf, quietSdkNodeWarning } from '../src/index.js';

quietSdkNodeWarning();

const terms = { leaseMs: 60_000, marginMs: 10_000 };
const ctxWith = (expired: boolean, alive: boolean): LeftoverContext =>
  ({ expired, runs: { isAlive: async () => alive }, signal: new AbortController().signal }) as unknown as LeftoverContext;

describe('leases: the rule', () => {
  it('a lease counts as expired only once its end plus the margin has passed; no lease, or an unreadable one, never does', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    const tags = (until: string) => ({ [LEASE_TAG]: until });
    assert.equal(expiredLease(tags('2026-12-06T11:59:55Z'), terms, now), undefined, 'inside the margin');
    assert.equal(expiredLease(tags('2026-12-06T11:59:49Z'), terms, now), '2026-12-06T11:59:49.000Z');
    assert.equal(expiredLease(tags('2026-12-06T12:30:00Z'), terms, now), undefined);
    assert.equal(expiredLease({}, terms, now), undefined, 'made by an older version');
    assert.equal(expiredLease(tags('yesterday'), terms, now), undefined);
    assert.deepEqual(leaseTag(terms, now), { Key: LEASE_TAG, Value: '2026-12-06T12:01:00.000Z' });
    assert.deepEqual(leaseTermsOf({}), { leaseMs: 1_800_000, marginMs: 300_000 });
    assert.deepEqual(leaseTermsOf({ leaseSeconds: 60, leaseMarginSeconds: 0 }), { leaseMs: 60_000, marginMs: 0 });
  });

  it("this host's resources go by their run; another host's only with --expired and a lease that ran out", async () => {
    const past = new Date(Date.now() - 3_600_000).toISOString();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const mine = { host: 'h1', run_id: 'r1', pid: '1', [LEASE_TAG]: past };
    assert.match((await abandonment(mine, 'h1', terms, ctxWith(false, false))) ?? '', /run r1 .* is not running/);
    assert.equal(await abandonment(mine, 'h1', terms, ctxWith(true, true)), undefined, 'a live run of this host keeps it, lease or not');
    const theirs = { host: 'h2', hostname: 'runner-7', run_id: 'r2', [LEASE_TAG]: past };
    assert.equal(await abandonment(theirs, 'h1', terms, ctxWith(false, false)), undefined, 'without --expired: not ours to judge');
    assert.match((await abandonment(theirs, 'h1', terms, ctxWith(true, false))) ?? '', /lease ran out at .* \(run r2 on runner-7\)/);
    assert.equal(await abandonment({ ...theirs, [LEASE_TAG]: future }, 'h1', terms, ctxWith(true, false)), undefined, 'a live lease');
    assert.equal(await abandonment({ host: 'h2', run_id: 'r3' }, 'h1', terms, ctxWith(true, false)), undefined, 'no lease');
    assert.deepEqual(hostFilters('h1', { expired: false }), [{ Name: 'tag:host', Values: ['h1'] }]);
    assert.deepEqual(hostFilters('h1', { expired: true }), []);
  });
});

describe('LeaseKeeper: renewals through the SDK at the EC2 test endpoint', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-leases-test-'));
  const endpoint = new Ec2TestEndpoint({ dir: join(scratch, 'endpoint') });
  const saved = { ...process.env };
  let snapshotId: string;
  let session: Ec2Session;

  before(async () => {
    await endpoint.start();
    Object.assign(process.env, endpoint.env);
    const disk = join(scratch, 'base.raw');
    writeFileSync(disk, Buffer.alloc(1024 * 1024));
    snapshotId =
      endpoint.seedImage({ name: 'own', ownerId: endpoint.world.instance.accountId, disk, sizeGiB: 1 }).blockDeviceMappings[0]?.ebs?.snapshotId ?? '';
    session = new Ec2Session({ maxAttempts: 2, consistencyWindowMs: 0 });
  });
  after(async () => {
    (await session.clients()).destroy();
    await endpoint.stop();
    process.env = saved;
    rmSync(scratch, { recursive: true, force: true });
  });

  it('moves the lease forward every third of it while held, stops when released, and drops an id that is gone', async () => {
    const keeper = new LeaseKeeper(async () => (await session.clients()).home, { leaseMs: 1_500, marginMs: 0 });
    const { ctx, logs } = createTestStepContext();
    const lease = () => Date.parse(endpoint.world.snapshots.get(snapshotId)?.tags[LEASE_TAG] ?? '');
    keeper.hold(snapshotId, ctx);
    const deadline = Date.now() + 5_000;
    while (!Number.isFinite(lease()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const first = lease();
    assert.ok(Number.isFinite(first), 'renewed by the timer');
    while (lease() === first && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(lease() > first, 'and again, later');
    keeper.release(snapshotId);
    const released = lease();
    await new Promise((r) => setTimeout(r, 1_200));
    assert.equal(lease(), released, 'no renewal after release');

    const calls = endpoint.callsOf('CreateTags');
    keeper.hold('snap-0123456789abcdef0', ctx);
    await keeper.renew();
    await keeper.renew();
    assert.equal(endpoint.callsOf('CreateTags') - calls, 1, 'a snapshot that is gone is dropped after one try');
    assert.deepEqual(
      logs.filter((l) => /could not renew/.test(l)),
      [],
    );
    keeper.stop();
  });

  it('a failed renewal is said while the lease has a turn left; when the next turn would come after its end, the run is stopped with E_LEASE_LOST', async () => {
    const keeper = new LeaseKeeper(async () => (await session.clients()).home, { leaseMs: 60_000, marginMs: 10_000 });
    endpoint.world.faults.failNext.push({ action: 'CreateTags', code: 'UnauthorizedOperation', status: 403, times: 3 });
    try {
      const early = createTestStepContext();
      keeper.hold(snapshotId, early.ctx);
      await keeper.renew();
      assert.equal(early.abort.signal.aborted, false, 'a lease with two turns left is not given up');
      assert.equal(early.logs.filter((l) => /^warn could not renew the lease of snap-/.test(l)).length, 1);
      keeper.release(snapshotId);

      const late = createTestStepContext();
      // Tagged 45 s ago: the next turn (in 20 s) would come 5 s after the lease's end.
      keeper.hold(snapshotId, late.ctx, Date.now() - 45_000);
      const calls = endpoint.callsOf('CreateTags');
      await keeper.renew();
      assert.equal(endpoint.callsOf('CreateTags') - calls, 1);
      assert.equal(late.abort.signal.aborted, true, 'the run is stopped while the lease still runs');
      const reason = late.abort.signal.reason;
      assert.ok(isAminatorError(reason));
      assert.equal(reason.code, 'E_LEASE_LOST');
      assert.equal(reason.exitCode, 75, 'worth retrying');
      assert.ok(reason.message.startsWith(`the lease of ${snapshotId} could not be renewed (`), reason.message);
      assert.match(reason.message, /cleanup --expired/);
      await keeper.renew();
      assert.equal(endpoint.callsOf('CreateTags') - calls, 1, 'a lost lease is not renewed again');
    } finally {
      endpoint.world.faults.failNext.length = 0;
      keeper.stop();
    }
  });

  it('a lease begun before its create counts from the time its tag names, not from when the id came back', async () => {
    const keeper = new LeaseKeeper(async () => (await session.clients()).home, { leaseMs: 600, marginMs: 0 });
    endpoint.world.faults.failNext.push({ action: 'CreateTags', code: 'UnauthorizedOperation', status: 403, times: 20 });
    try {
      const lease = keeper.begin();
      assert.equal(lease.tag.Key, LEASE_TAG);
      // The create took most of the lease: two turns of 200 ms would end after the tag's time.
      await new Promise((r) => setTimeout(r, 450));
      const { ctx, abort } = createTestStepContext();
      lease.hold(snapshotId, ctx);
      await keeper.renew();
      assert.equal(abort.signal.aborted, true, 'stopped at the first failed renewal');
      const reason = abort.signal.reason;
      assert.ok(isAminatorError(reason));
      assert.equal(reason.code, 'E_LEASE_LOST');
      assert.ok(reason.message.includes(`ends at ${lease.tag.Value}`), reason.message);
    } finally {
      endpoint.world.faults.failNext.length = 0;
      keeper.stop();
    }
  });
});
