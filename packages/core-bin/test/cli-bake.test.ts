import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { aminate, fakeProjects, jsonLines } from './cli-harness.js';

describe('aminate bake (CLI, testkit fakes)', () => {
  const project = fakeProjects(after);

  it('--json prints one event per line and ends with the result line of DESIGN.md', async () => {
    const p = project();
    const result = await aminate(['--json', 'bake', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 0, result.stderr);
    const events = jsonLines(result.stdout);
    const last = events.at(-1) ?? {};
    assert.equal(last.type, 'result');
    assert.equal(last.status, 'succeeded');
    assert.deepEqual(Object.keys(last.image).sort(), ['cloud', 'id', 'name', 'region', 'tags']);
    assert.deepEqual(last.package, { name: 'hello', version: '1.0', release: '1', arch: 'amd64' });
    assert.equal(typeof last.durationMs, 'number');
    assert.deepEqual(last.steps.map((s: { name: string }) => s.name), ['plan', 'create-volume', 'allocate-device', 'attach-volume', 'mount-volume', 'prepare-chroot', 'provision', 'teardown', 'finalize', 'cleanup']);
    assert.ok(events.some((e) => e.type === 'step-start' && e.step === 'provision'));
    assert.deepEqual(p.live().map((r) => r.split(':')[0]), ['image'], 'only the image outlives the bake');
  });

  it('off a terminal prints timestamped step lines and the image on stdout', async () => {
    const p = project();
    const result = await aminate(['bake', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^\d{4}-\d\d-\d\dT[\d:.]+Z step provision succeeded in \d+ ms/m);
    assert.match(result.stdout, /^baked hello-1\.0-1-amd64 \(img-/);
  });

  it('a failing step exits 1, names the step and the code, and releases everything', async () => {
    const p = project({ provisioner: { failAt: 'provision' } });
    const result = await aminate(['bake', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error E_FAKE_FAILURE \(step provision\): step provision failed: fake failure in provision/);
    assert.match(result.stderr, /cleanup succeeded: delete fake volume/);
    assert.deepEqual(p.live(), []);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} during the install cleans up and exits 130`, async () => {
      const p = project({ provisioner: { hangAt: 'provision' } });
      const result = await aminate(['--json', 'bake', 'hello', '-c', p.configFile], { signalOn: { when: '"step":"provision"', signal } });
      assert.equal(result.code, 130, result.stderr);
      assert.equal(jsonLines(result.stdout).at(-1)?.status, 'interrupted');
      assert.match(result.stderr, new RegExp(`${signal} received`));
      assert.ok(p.journalLines() > 0);
      assert.deepEqual(p.live(), []);
    });
  }

  it('AMINATOR_FAILPOINTS signals the process at the named step (real signal path)', async () => {
    const p = project();
    const result = await aminate(['bake', 'hello', '-c', p.configFile], { env: { AMINATOR_FAILPOINTS: 'mount-volume:sigterm' } });
    assert.equal(result.code, 130, result.stderr);
    assert.deepEqual(p.live(), []);
    const bad = await aminate(['bake', 'hello', '-c', p.configFile], { env: { AMINATOR_FAILPOINTS: 'mount:explode' } });
    assert.equal(bad.code, 2);
  });

  it('refuses a bad package spec with exit 2 before acquiring anything', async () => {
    const p = project();
    const result = await aminate(['bake', 'hello;reboot', '-c', p.configFile]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /E_INVALID_INPUT/);
    assert.equal(p.journalLines(), 0);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const p = project();
    const result = await aminate(['bake', '--dry-run', '--base-image', 'img-custom', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /dry run: nothing was changed/);
    assert.match(result.stdout, /base image: fake-base \(img-custom\)/);
    assert.equal(p.journalLines(), 0);
  });

  it('--preserve-on-error keeps the resources and prints how to remove them', async () => {
    const p = project({ provisioner: { failAt: 'provision' } });
    const result = await aminate(['bake', '--preserve-on-error', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /kept for debugging/);
    assert.match(result.stderr, /fake-delete vol-/);
    assert.ok(p.live().some((r) => r.startsWith('volume:')));
  });

  it('plugin flags appear in bake --help only for plugins of the selected environment, and set their config', async () => {
    const p = project({}, {
      environments: {
        fake: { cloud: 'fake', blockdevice: 'fake', volume: 'fake', os: 'fake', provisioner: 'fake', finalizer: 'fake' },
        scripted: { cloud: 'fake', blockdevice: 'fake', volume: 'fake', os: 'fake', provisioner: 'script', finalizer: 'fake' },
      },
    });
    const fakeHelp = await aminate(['bake', '--help', '-c', p.configFile]);
    assert.equal(fakeHelp.code, 0);
    assert.match(fakeHelp.stdout, /--fake-cloud-fail-at <method>/);
    assert.doesNotMatch(fakeHelp.stdout, /--script-timeout/);
    const scriptHelp = await aminate(['-e', 'scripted', 'bake', '--help', '-c', p.configFile]);
    assert.match(scriptHelp.stdout, /--script-timeout <seconds>/);
    const viaFlag = await aminate(['bake', '--fake-cloud-fail-at', 'createVolume', 'hello', '-c', p.configFile]);
    assert.equal(viaFlag.code, 1);
    assert.match(viaFlag.stderr, /fake failure in createVolume/);
    const badNumber = await aminate(['-e', 'scripted', 'bake', '--script-timeout', 'soon', 'x', '-c', p.configFile]);
    assert.equal(badNumber.code, 2);
  });

  it('unknown options are usage errors (exit 2)', async () => {
    const p = project();
    const result = await aminate(['bake', '--no-such-flag', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown option/);
  });
});
