import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { aminate, fakeProjects, jsonLines } from './cli-harness.js';

describe('aminate bake --verify (CLI, testkit fakes)', () => {
  const project = fakeProjects(after);

  it("runs the environment's verifier between finalize and cleanup; the image is kept, its disk released", async () => {
    const p = project({}, {}, { verifier: true });
    const result = await aminate(['--json', 'bake', '--verify', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const events = jsonLines(result.stdout);
    assert.deepEqual(events.find((e) => e.type === 'run-start')?.steps.slice(-3), ['finalize', 'verify', 'cleanup']);
    assert.equal(events.find((e) => e.type === 'run-start')?.plugins.verifier?.startsWith('fake'), true);
    assert.equal(events.filter((e) => e.type === 'step-end' && e.step === 'verify' && e.status === 'succeeded').length, 1);
    assert.deepEqual(
      p.live().map((r) => r.split(':')[0]),
      ['image'],
    );
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
    assert.deepEqual(
      kept.live().map((r) => r.split(':')[0]),
      ['image'],
    );
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
    const p = project(
      {},
      {
        environments: {
          fake: { cloud: 'fake', volume: 'fake', os: 'fake', provisioner: 'fake', finalizer: 'fake', verifier: 'nonesuch' },
        },
      },
    );
    const plain = await aminate(['bake', 'hello', '-c', p.configFile]);
    assert.equal(plain.code, 0, `a bake without --verify does not need it: ${plain.stderr}`);
    const verify = await aminate(['bake', '--verify', 'hello', '-c', p.configFile]);
    assert.equal(verify.code, 2);
    assert.match(verify.stderr, /the verifier nonesuch of environment fake is not installed[\s\S]*npm i @aminator\/verifier-nonesuch/);
  });
});

describe('aminate verify IMAGE (CLI, testkit fakes)', () => {
  const project = fakeProjects(after);

  it('verifies an image that exists: plan, verify, cleanup; nothing made, nothing left; the result names the image and the checks', async () => {
    const p = project({}, {}, { verifier: true });
    const result = await aminate(['--json', 'verify', 'img-stored', '-c', p.configFile]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const events = jsonLines(result.stdout);
    const start = events.find((e) => e.type === 'run-start');
    assert.deepEqual(start?.steps, ['plan', 'verify', 'cleanup']);
    assert.equal(start?.image, 'img-stored');
    const last = events.at(-1);
    assert.equal(last?.type, 'result');
    assert.equal(last?.image?.id, 'img-stored');
    assert.equal(last?.verification?.checks.length, 3);
    assert.deepEqual(p.live(), []);
    const plain = await aminate(['verify', 'img-stored', '-c', p.configFile]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^verified fake-base \(img-stored\) in [\d.]+s; 3 checks passed$/m);
  });

  it('a failed check exits 1 with E_VERIFY_FAILED and removes nothing', async () => {
    const p = project({ verifier: { failAt: 'verify' } }, {}, { verifier: true });
    const result = await aminate(['verify', 'img-stored', '-c', p.configFile]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /error E_VERIFY_FAILED \(step verify\)/);
    assert.match(result.stderr, /everything the run acquired was cleaned up/);
    assert.deepEqual(p.live(), []);
    assert.ok(!p.journal().some((e) => e.kind === 'image'), 'the image was not touched');
  });

  it('is refused with exit 2 where the environment names no verifier; --help teaches it', async () => {
    const p = project();
    const result = await aminate(['verify', 'img-stored', '-c', p.configFile]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /environment fake names no verifier/);
    assert.equal(p.journalLines(), 0);
    const help = await aminate(['verify', '--help', '-c', project({}, {}, { verifier: true }).configFile]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: aminate verify \[options\] <image>/);
    assert.match(help.stdout, /Exit codes: 0 verified, 1 a check failed/);
  });
});

describe('aminate boot IMAGE (CLI, testkit fakes)', () => {
  const project = fakeProjects(after);

  it('hands the image disk and the forwards to the verifier, with plain output; nothing left after the machine stops', async () => {
    const p = project({}, {}, { verifier: true });
    const result = await aminate(['boot', '--forward', '8080:80', '--forward', '2222:22', 'img-stored', '-c', p.configFile]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stderr, /boot img-stored|verify img-stored/);
    assert.match(result.stderr, /step boot succeeded/);
    assert.match(result.stderr, /fake boot of img-stored, forwards 8080:80 2222:22/);
    assert.match(result.stdout, /^booted fake-base \(img-stored\); the machine stopped after [\d.]+s and its copy was removed$/m);
    assert.deepEqual(p.live(), []);
    assert.deepEqual(
      p
        .journal()
        .map((e) => `${e.action} ${e.kind}`)
        .filter((e) => !e.endsWith(' lock')),
      ['acquire image-disk', 'release image-disk'],
    );
  });

  it('refuses a malformed or repeated --forward, and --json, with exit 2 before anything is made', async () => {
    const p = project({}, {}, { verifier: true });
    for (const [args, message] of [
      [['--forward', '80'], /--forward 80: expected HOST:GUEST/],
      [['--forward', '0:80'], /ports 1 to 65535/],
      [['--forward', '8080:80', '--forward', '8080:443'], /host port 8080 is given twice/],
      [['--json'], /--json does not go with boot/],
    ] as const) {
      const result = await aminate(['boot', ...args, 'img-stored', '-c', p.configFile]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr + result.stdout, message, '(with --json the error is a JSON line on stdout)');
    }
    assert.equal(p.journalLines(), 0);
  });

  it('a boot that fails exits 1 and releases the image disk', async () => {
    const p = project({ verifier: { failAt: 'boot' } }, {}, { verifier: true });
    const result = await aminate(['boot', 'img-stored', '-c', p.configFile]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /E_FAKE_FAILURE \(step boot\)/);
    assert.deepEqual(p.live(), []);
  });
});
