import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LEASE_TAG, quietSdkNodeWarning } from '@aminator/aws-ec2';
import { jsonLines, ROOT_ONLY } from '@aminator/testkit';
import { type EbsDirectWorld, openEbsDirectWorld } from './ebs-direct-world.js';

quietSdkNodeWarning();

/**
 * Another host: the same machine under another host name (a UTS namespace of its own), which is what
 * tells one pod or runner from another in the resources' `host` tag.
 */
const OTHER_HOST = ['unshare', '--uts', '--', 'sh', '-c', 'hostname aminate-other-host && exec "$0" "$@"'];

describe("leases: a bake's cloud resources reclaimed from another host once its lease ran out, never before", ROOT_ONLY, () => {
  let world: EbsDirectWorld;
  before(async () => {
    world = await openEbsDirectWorld('aminator-e2e-leases-');
  });
  after(async () => {
    await world?.close();
  });

  const ownImages = (): string[] =>
    [...world.endpoint.world.images.values()]
      .filter((i) => i.ownerId === world.endpoint.world.instance.accountId && i.state !== 'deregistered')
      .map((i) => i.id);
  const building = () =>
    [...world.endpoint.world.snapshots.values()].filter((s) => s.tags.purpose === 'aminator-direct-snapshot' && s.tags.status === 'building');
  // The other "host" is this machine: its cleanup also reclaims the killed run's local leftovers
  // (work directory, working copy), which are this machine's to judge. The account's resources are what leases decide.
  const inAccount = (stdout: string) =>
    jsonLines(stdout).filter((e) => e.type === 'leftover' && ['snapshot', 'image', 'volume'].includes(e.kind) && String(e.id).match(/^(snap|ami|vol)-/));
  const expiredCleanup = (...flags: string[]) =>
    world.aminate(['-e', 'ebsdirect_apt_linux', '--json', 'cleanup', '--expired', '--lease-margin-seconds', '1', ...flags], { prefix: OTHER_HOST });

  it('kill -9 after RegisterImage: --expired from another host finds nothing while the lease runs, then deregisters the image and deletes the snapshot; a finished AMI is never touched', async () => {
    const finished = await world.aminate(world.bakeArgs('--suffix', 'lease-done', '--lease-seconds', '6', 'hello'));
    assert.equal(finished.code, 0, finished.stderr + finished.stdout.slice(-2000));
    const finishedImage = String(jsonLines(finished.stdout).at(-1)?.image?.id);

    const killed = await world.aminate(world.bakeArgs('--suffix', 'lease-killed', '--lease-seconds', '15', 'hello'), {
      signalOn: { when: /image ami-\w+ registering/, signal: 'SIGKILL', delayMs: 300 },
    });
    assert.equal(killed.signal, 'SIGKILL');
    const [snapshot] = building();
    assert.ok(snapshot, 'the kill left a snapshot marked building');
    const leaseEnd = Date.parse(snapshot.tags[LEASE_TAG] ?? '');
    assert.ok(Number.isFinite(leaseEnd), `the snapshot carries its lease: ${JSON.stringify(snapshot.tags)}`);
    const unfinished = ownImages().filter((id) => id !== finishedImage);
    assert.equal(unfinished.length, 1, 'and the image registered from it');

    const early = await expiredCleanup();
    assert.equal(early.code, 0, early.stderr + early.stdout);
    assert.ok(Date.now() < leaseEnd + 1_000, 'this look happened while the lease (and its margin) ran');
    assert.deepEqual(inAccount(early.stdout), [], 'nothing of a live lease is reclaimed');
    assert.equal(building().length, 1);

    while (Date.now() < leaseEnd + 1_500) await new Promise((resolve) => setTimeout(resolve, 200));
    const withoutFlag = await world.aminate(['-e', 'ebsdirect_apt_linux', '--json', 'cleanup', '--dry-run'], { prefix: OTHER_HOST });
    assert.deepEqual(inAccount(withoutFlag.stdout), [], "without --expired another host's resources are not looked at");
    const late = await expiredCleanup();
    assert.equal(late.code, 0, late.stderr + late.stdout);
    const reclaimed = inAccount(late.stdout).filter((e) => e.status === 'reclaimed');
    assert.deepEqual(reclaimed.map((e) => `${e.kind} ${e.id}`).sort(), [`image ${unfinished[0]}`, `snapshot ${snapshot.id}`].sort());
    assert.match(String(reclaimed[0]?.reason), /lease ran out at .* on /);
    assert.equal(building().length, 0);
    assert.deepEqual(ownImages(), [finishedImage], 'the finished AMI, whose lease also ran out long ago, is kept');
    world.assertNothingLeft([finishedImage]);
  });
});
