import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { aminate, fakeProjects, jsonLines } from './cli-harness.js';

describe('aminate bake --verify (CLI, testkit fakes)', () => {
  const project = fakeProjects(after);

  it('runs the environment\'s verifier between finalize and cleanup; the image is kept, its disk released', async () => {
    const p = project({}, {}, { verifier: true });
    const result = await aminate(['--json', 'bake', '--verify', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const events = jsonLines(result.stdout);
    assert.deepEqual(events.find((e) => e.type === 'run-start')?.steps.slice(-3), ['finalize', 'verify', 'cleanup']);
    assert.equal(events.find((e) => e.type === 'run-start')?.plugins.verifier?.startsWith('fake'), true);
    assert.equal(events.filter((e) => e.type === 'step-end' && e.step === 'verify' && e.status === 'succeeded').length, 1);
    assert.deepEqual(p.live().map((r) => r.split(':')[0]), ['image']);
  });

  it('without --verify the verifier is not even loaded into the bake', async () => {
    const p = project({}, {}, { verifier: true });
    const result = await aminate(['--json', 'bake', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 0, result.stderr);
    const start = jsonLines(result.stdout).find((e) => e.type === 'run-start');
    assert.equal(start?.steps.includes('verify'), false);
    assert.equal(start?.plugins.verifier, undefined);
  });

  it('a failed verification exits 1 with E_VERIFY_FAILED and removes the image; --keep-unverified keeps it', async () => {
    const failing = project({ verifier: { failAt: 'verify' } }, {}, { verifier: true });
    const result = await aminate(['bake', '--verify', 'hello', '-c', failing.configFile]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /error E_VERIFY_FAILED \(step verify\): step verify failed: the image failed verification: the image boots \(failAt=verify\)/);
    assert.match(result.stderr, /→ the image was removed; bake again with --keep-unverified/);
    assert.deepEqual(failing.live(), []);
    const kept = project({ verifier: { failAt: 'verify' } }, {}, { verifier: true });
    const keeping = await aminate(['bake', '--verify', '--keep-unverified', 'hello', '-c', kept.configFile]);
    assert.equal(keeping.code, 1, keeping.stderr);
    assert.deepEqual(kept.live().map((r) => r.split(':')[0]), ['image']);
  });

  it('refuses --verify where the environment names no verifier, and --keep-unverified alone, before anything is made', async () => {
    const p = project();
    const verify = await aminate(['bake', '--verify', 'hello', '-c', p.configFile]);
    assert.equal(verify.code, 2);
    assert.match(verify.stderr, /E_USAGE[\s\S]*environment fake names no verifier[\s\S]*verifier: qemu/);
    const keep = await aminate(['bake', '--keep-unverified', 'hello', '-c', p.configFile]);
    assert.equal(keep.code, 2);
    assert.match(keep.stderr, /--keep-unverified goes with --verify/);
    assert.equal(p.journalLines(), 0, 'nothing acquired');
  });

  it('names the verifier that is not installed', async () => {
    const p = project({}, { environments: { fake: { cloud: 'fake', blockdevice: 'fake', volume: 'fake', os: 'fake', provisioner: 'fake', finalizer: 'fake', verifier: 'nonesuch' } } });
    const plain = await aminate(['bake', 'hello', '-c', p.configFile]);
    assert.equal(plain.code, 0, `a bake without --verify does not need it: ${plain.stderr}`);
    const verify = await aminate(['bake', '--verify', 'hello', '-c', p.configFile]);
    assert.equal(verify.code, 2);
    assert.match(verify.stderr, /the verifier nonesuch of environment fake is not installed[\s\S]*npm i @aminator\/verifier-nonesuch/);
  });
});
