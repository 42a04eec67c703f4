import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jsonLines, ROOT_ONLY } from '@aminator/testkit';
import { type Ec2World, openEc2World } from './ec2-world.js';
import { buildDeb } from './fixtures.js';

describe('aminate cleanup after kill -9 during finalize (EC2 test endpoint)', ROOT_ONLY, () => {
  let world: Ec2World;
  let deb: string;
  before(async () => {
    world = await openEc2World('aminator-e2e-cleanup-ec2-');
    deb = buildDeb(world.scratch, 'final-app');
  });
  after(() => world.close());

  const cases = [
    { when: 'while the snapshot is being taken', delay: 'snapshot', trigger: /"message":"snapshot snap-/, expect: ['snapshot', 'volume'] },
    // The image is listed when EC2 shows it by then; killed within the consistency window it is not, and the
    // snapshot's reclaim deregisters it once "in use" says it exists. Either way nothing is left (assertNothingLeft).
    {
      when: 'after the image was registered, before it is available',
      delay: 'image',
      trigger: /"message":"image ami-[0-9a-f]+ registering"/,
      expect: ['snapshot', 'volume'],
    },
  ] as const;

  for (const c of cases) {
    it(`killed ${c.when}: cleanup deletes the working volume and what finalize had made`, async () => {
      world.endpoint.world.delays[c.delay] = 3000;
      try {
        const result = await world.aminate(world.bakeArgs('--suffix', `kill-${c.delay}`, deb), { signalOn: { when: c.trigger, signal: 'SIGKILL' } });
        assert.equal(result.signal, 'SIGKILL', result.stderr + result.stdout.slice(-1500));
        const left = world.endpoint.leftovers();
        assert.ok(left.volumes.length === 1 && left.snapshots.length === 1, JSON.stringify(left));
        const swept = await world.aminate(['--json', 'cleanup']);
        assert.equal(swept.code, 0, swept.stderr + swept.stdout);
        const kinds = jsonLines(swept.stdout)
          .filter((e) => e.type === 'leftover' && e.status === 'reclaimed')
          .map((e) => e.kind);
        for (const kind of c.expect) assert.ok(kinds.includes(kind), `${kind} reclaimed: ${kinds.join(', ')}`);
        world.assertNothingLeft();
      } finally {
        world.endpoint.world.delays[c.delay] = 0;
      }
    });
  }

  it('a finished image survives: killed at the start of the last step, cleanup deletes only the working volume', async () => {
    const result = await world.aminate(world.bakeArgs('--suffix', 'kill-done', deb), { env: { AMINATOR_FAILPOINTS: 'cleanup:sigkill' } });
    assert.equal(result.signal, 'SIGKILL');
    const swept = await world.aminate(['--json', 'cleanup']);
    assert.equal(swept.code, 0, swept.stderr + swept.stdout);
    assert.deepEqual(
      jsonLines(swept.stdout)
        .filter((e) => e.type === 'leftover')
        .map((e) => e.kind)
        .filter((k) => k !== 'lock' && k !== 'directory'),
      ['volume'],
    );
    const images = world.endpoint.leftovers().images;
    assert.equal(images.length, 1);
    world.assertNothingLeft(images);
  });
});
