import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bakeSteps } from '@aminator/core/internal';
import { runCliOnTerminal, terminalScreen } from '@aminator/testkit';
import { aminate, binPath, fakeProjects, fixtures, jsonLines } from './cli-harness.js';

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
    assert.deepEqual(
      last.steps.map((s: { name: string }) => s.name),
      ['plan', 'create-volume', 'attach-volume', 'mount-volume', 'prepare-chroot', 'provision', 'teardown', 'finalize', 'cleanup'],
    );
    assert.ok(events.some((e) => e.type === 'step-start' && e.step === 'provision'));
    assert.deepEqual(
      p.live().map((r) => r.split(':')[0]),
      ['image'],
      'only the image outlives the bake',
    );
  });

  it('off a terminal prints timestamped step lines and the image on stdout', async () => {
    const p = project();
    const result = await aminate(['bake', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^\d{4}-\d\d-\d\dT[\d:.]+Z step provision succeeded in \d+ ms/m);
    assert.match(result.stdout, /^baked hello-1\.0-1-amd64 \(img-/);
    assert.doesNotMatch(result.stderr, /cleanup succeeded: /, 'a successful bake does not list every undo (only --debug does)');
    assert.doesNotMatch(result.stderr, /full log/);
    assert.deepEqual(existsSync(join(p.dir, 'work', 'logs')) ? readdirSync(join(p.dir, 'work', 'logs')) : [], [], 'a successful run keeps no log');
    const debug = await aminate(['--debug', 'bake', 'hello', '-c', p.configFile]);
    assert.match(debug.stderr, /cleanup succeeded: /);
  });

  it("on a terminal (a pseudo-terminal): a successful bake leaves the step list and the result, a failing one the step's last output, the error and the log", async () => {
    const p = project();
    const ok = await runCliOnTerminal(binPath, ['bake', 'hello', '-c', p.configFile], { cwd: fixtures });
    assert.equal(ok.code, 0, ok.text);
    const steps = bakeSteps({ verify: false });
    const normal = (screen: string[]): string[] => screen.map((l) => l.replace(/ +\d+\.\ds$/, '').replace(/ +$/, ''));
    assert.deepEqual(normal(terminalScreen(ok.text)), [
      ...steps.map((s) => `  ✔ ${s}`),
      /^baked .*/.exec(terminalScreen(ok.text).at(-1) ?? '')?.[0] ?? 'the result line',
    ]);
    assert.match(ok.text, /Unpacking hello \(1\.0-1\) \.\.\./, 'the output was shown while the step ran');
    const failing = project({ provisioner: { failAt: 'provision' } });
    const bad = await runCliOnTerminal(binPath, ['bake', 'hello', '-c', failing.configFile], { cwd: fixtures });
    assert.equal(bad.code, 1, bad.text);
    const screen = normal(terminalScreen(bad.text));
    const list = screen.indexOf('  ✔ plan');
    assert.deepEqual(screen.slice(0, list), [
      'last output of provision:',
      '  Reading package lists...',
      '  Building dependency tree...',
      '  The following NEW packages will be installed:',
      '    hello',
      '  Unpacking hello (1.0-1) ...',
      '  E: fake failure installing hello',
    ]);
    assert.deepEqual(
      screen.slice(list, list + steps.length),
      steps.map((s, i) => (i < steps.indexOf('provision') ? `  ✔ ${s}` : s === 'provision' ? '  ✖ provision' : `  · ${s}`)),
    );
    assert.match(screen[list + steps.length] ?? '', /^error E_FAKE_FAILURE \(step provision\): step provision failed: fake failure in provision$/);
    assert.match(screen.at(-1) ?? '', /^full log: .*\/work\/logs\/[0-9a-f]+\.log$/);
  });

  it('a failing step exits 1, names the step and the code, and releases everything', async () => {
    const p = project({ provisioner: { failAt: 'provision' } });
    const result = await aminate(['bake', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error E_FAKE_FAILURE \(step provision\): step provision failed: fake failure in provision/);
    assert.match(result.stderr, /cleanup succeeded: delete fake volume/);
    assert.deepEqual(p.live(), []);
    const [, log = ''] = /^full log: (\S+)$/m.exec(result.stderr) ?? [];
    assert.equal(dirname(log), join(p.dir, 'work', 'logs'), result.stderr);
    assert.equal(statSync(log).mode & 0o777, 0o600);
    const text = readFileSync(log, 'utf8');
    assert.match(text, /resource released: /, 'the log has what the terminal shows only with --debug');
    assert.match(text, /bake failed in \d+ ms: E_FAKE_FAILURE/);
    const json = await aminate(['--json', 'bake', 'hello', '-c', p.configFile]);
    const last = JSON.parse(json.stdout.trim().split('\n').at(-1) ?? '{}');
    assert.equal(last.log, join(p.dir, 'work', 'logs', `${last.runId}.log`));
    assert.ok(existsSync(last.log));
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
    const p = project(
      {},
      {
        environments: {
          fake: { cloud: 'fake', volume: 'fake', os: 'fake', provisioner: 'fake', finalizer: 'fake' },
          scripted: { cloud: 'fake', volume: 'fake', os: 'fake', provisioner: 'script', finalizer: 'fake' },
        },
      },
    );
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
