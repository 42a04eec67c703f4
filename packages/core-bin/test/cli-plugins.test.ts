import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCliOnTerminal, terminalScreen } from '@aminator/testkit';
import { aminate, binPath, fakeProjects, fixtures, jsonLines } from './cli-harness.js';

describe('aminate plugins (CLI)', () => {
  it('plugins list --json shows kind, name, package, version and path of each plugin', async () => {
    const result = await aminate(['plugins', 'list', '--json'], { cwd: join(fixtures, 'fake-env') });
    assert.equal(result.code, 0, result.stderr);
    const { plugins } = JSON.parse(result.stdout);
    const cloud = plugins.find((p: { kind: string; name: string }) => p.kind === 'cloud' && p.name === 'fake');
    assert.deepEqual(
      { package: cloud.package, version: cloud.version, path: cloud.path },
      { package: '@aminator-fixtures/cloud-fake', version: '1.0.0', path: join(fixtures, 'fake-env', 'plugins', 'cloud-fake') },
    );
    assert.ok(
      plugins.some((p: { package: string }) => p.package === '@acme/aminator-provisioner-script'),
      'the example third-party plugin is found',
    );
    assert.ok(plugins.some((p: { kind: string; name: string; builtin: boolean }) => p.kind === 'metrics' && p.name === 'log' && p.builtin));
  });

  it("plugins doctor says the plugins of a workspace share aminate's modules by Node's own resolution, with no hooks", async () => {
    const result = await aminate(['plugins', 'doctor', '--json'], { cwd: join(fixtures, 'fake-env') });
    assert.equal(JSON.parse(result.stdout).sharedBy, 'resolution', result.stdout + result.stderr);
    const text = await aminate(['plugins', 'doctor'], { cwd: join(fixtures, 'fake-env') });
    assert.match(text.stdout, /Node's own resolution finds them \(no hooks\)/);
  });

  it('plugins doctor reports each broken plugin with its own code, and exits 0 when the selected environment is fine', async () => {
    const result = await aminate(['plugins', 'doctor', '--json'], { cwd: join(fixtures, 'broken') });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout);
    const codeOf = (name: string): string | undefined => report.findings.find((f: { plugin: string }) => f.plugin.includes(name))?.error?.code;
    assert.equal(codeOf('no-manifest'), 'E_PLUGIN_MANIFEST');
    assert.equal(codeOf('bad-shape'), 'E_PLUGIN_SHAPE');
    assert.equal(codeOf('wrong-api'), 'E_PLUGIN_API_VERSION');
    const v1 = report.findings.find((f: { plugin: string }) => f.plugin.includes('api-v1'))?.error;
    assert.equal(v1?.code, 'E_PLUGIN_API_VERSION');
    assert.match(v1?.message, /plugin API 1, which this core no longer loads .*blockdevice kind/, 'says what changed');
    assert.match(v1?.suggestions.join('\n'), /read "Plugin API 2" in \/.*\/core\/README\.md/, 'and where the migration note is');
    assert.equal(codeOf('import-fails'), 'E_PLUGIN_IMPORT');
    assert.equal(codeOf('second-core'), 'E_PLUGIN_DUPLICATE_CORE');
    assert.equal(report.findings.find((f: { plugin: string }) => f.plugin.includes('aminator-fixture-good'))?.status, 'ok');
  });

  it('plugins doctor exits 2 when a plugin of the selected environment is broken', async () => {
    const result = await aminate(['-e', 'uses_bad_shape', 'plugins', 'doctor'], { cwd: join(fixtures, 'broken') });
    assert.equal(result.code, 2);
    assert.match(result.stdout, /ERROR provisioner\/bad-shape .*\[selected\]/);
    assert.match(result.stdout, /E_PLUGIN_SHAPE/);
  });

  it('a bake warns about broken plugins it does not use, and goes on', async () => {
    const result = await aminate(['bake', '--dry-run', 'hello'], { cwd: join(fixtures, 'broken') });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: ignoring aminator-fixture-no-manifest: \[E_PLUGIN_MANIFEST\]/);
  });

  it('--version and --help answer with exit 0', async () => {
    const version = await aminate(['--version']);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    const help = await aminate(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /plugins/);
  });
});

describe('plugin commands (CLI, testkit fakes)', () => {
  const project = fakeProjects(after);

  it('SIGINT stops a plugin command in its own words, unwinds what it holds, and prints its error with one prefix', async () => {
    const p = project();
    const result = await aminate(['fake-wait', '-c', p.configFile], { signalOn: { when: 'waiting for a signal', signal: 'SIGINT' } });
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, / SIGINT received: stopping aminate fake-wait and cleaning up what it acquired…$/m);
    assert.doesNotMatch(result.stderr, /stopping the bake/);
    assert.match(result.stderr, /released the fake resource/);
    assert.match(result.stderr, /^error E_INTERRUPTED \(step wait\): /m);
    assert.doesNotMatch(result.stderr, /error: error/);
  });
});

describe("a plugin command's steps (ctx.runSteps) are shown and ended as a bake's", () => {
  const project = fakeProjects(after);
  const normal = (screen: string[]): string[] => screen.map((l) => l.replace(/ +\d+\.\ds$/, '').replace(/ +$/, ''));

  it("on a terminal: the step list with core's cleanup step, then what the command made", async () => {
    const p = project();
    const ok = await runCliOnTerminal(binPath, ['fake-forge', 'sword', '--metal', 'steel', '-c', p.configFile], { cwd: fixtures });
    assert.equal(ok.code, 0, ok.text);
    const screen = normal(terminalScreen(ok.text));
    assert.deepEqual(screen.slice(0, 5), ['  ✔ plan', '  ✔ forge', '  ✔ polish', '  ✔ cleanup', 'forged sword']);
    assert.match(terminalScreen(ok.text)[5] ?? '', /^aminate fake-forge finished in \d+\.\ds$/);
    assert.deepEqual(readdirSync(join(p.dir, 'locks')), [], 'run lock released');
    assert.deepEqual(
      readdirSync(join(p.dir, 'work')).filter((d) => d !== 'logs'),
      [],
      'work directory removed',
    );
  });

  it("--json: events of kind command; a failpoint by the command's step name fails it (exit 1), one by no name of it exits 2", async () => {
    const p = project();
    const result = await aminate(['--json', 'fake-forge', 'sword', '--metal', 'steel', '-c', p.configFile]);
    assert.equal(result.code, 0, result.stderr);
    const events = jsonLines(result.stdout);
    assert.deepEqual([events[0]?.type, events[0]?.kind, events[0]?.command, events[0]?.image], ['run-start', 'command', 'fake-forge', 'sword']);
    assert.ok(events.some((e) => e.type === 'resource' && e.action === 'acquired' && e.resource.kind === 'fake-anvil' && e.step === 'forge'));
    assert.ok(events.some((e) => e.type === 'undo' && e.description === 'cool sword' && e.status === 'succeeded'));
    assert.deepEqual(events.at(-1)?.lines, ['forged sword']);

    const failed = await aminate(['fake-forge', 'sword', '--metal', 'steel', '-c', p.configFile], { env: { AMINATOR_FAILPOINTS: 'polish:error', CI: 'true' } });
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /^error E_FAILPOINT \(step polish\): /m);
    assert.match(failed.stderr, /cleanup succeeded: cool sword/);
    assert.match(failed.stderr, /full log: .*\.log$/m);
    assert.deepEqual(readdirSync(join(p.dir, 'locks')), []);

    const typo = await aminate(['fake-forge', 'sword', '--metal', 'steel', '-c', p.configFile], { env: { AMINATOR_FAILPOINTS: 'provision:error' } });
    assert.equal(typo.code, 2, typo.stderr);
    assert.match(typo.stderr, /unknown step "provision"[\s\S]*plan, forge, polish, cleanup/);
  });

  it('--dry-run: the plan step only, and the plan', async () => {
    const p = project();
    const result = await aminate(['fake-forge', 'sword', '--metal', 'steel', '--dry-run', '-c', p.configFile], { env: { CI: 'true' } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /dry run: nothing was changed\. Plan:\n {2}would forge sword of steel/);
    assert.doesNotMatch(result.stderr, /step forge/);
  });

  it('a required option left out: exit 2 naming it, before any step, lock or work directory', async () => {
    const p = project();
    const result = await aminate(['fake-forge', 'sword', '-c', p.configFile], { env: { CI: 'true' } });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /required option '--metal <kind>' not specified/);
    assert.doesNotMatch(result.stderr + result.stdout, /plan/);
    assert.equal(existsSync(join(p.dir, 'work')), false, 'no work directory');
  });
});

describe('plugin pairings (manifest "requires")', () => {
  const project = fakeProjects(after);
  const picky = { environments: { picky: { cloud: 'fake', volume: 'fake', os: 'fake', provisioner: 'fake', finalizer: 'needs-ec2' } } };

  it('an environment whose finalizer needs another cloud is refused before anything is imported or made, naming both', async () => {
    const p = project({}, picky);
    const result = await aminate(['-e', 'picky', 'bake', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /error E_PLUGIN_PAIRING: environment picky pairs plugins that do not work together: finalizer needs-ec2 \(@aminator-fixtures\/finalizer-needs-ec2\) works only with cloud ec2, and the environment has cloud fake/,
    );
    assert.match(result.stderr, /→ use cloud ec2 with finalizer needs-ec2, or another finalizer/);
    assert.equal(p.journalLines(), 0, 'nothing acquired');
    const listed = await aminate(['environments', '-c', p.configFile]);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /picky\n.*\n {4}does not work: finalizer needs-ec2 .* works only with cloud ec2, and the environment has cloud fake/);
  });
});

describe("aminate's own flags and the plugins' flags", () => {
  it('every flag the run commands define is declared in RESERVED_FLAGS, so plugin authors (and the conformance tests) see it', async () => {
    const { RESERVED_FLAGS } = await import('@aminator/core');
    const { bakeCommand } = await import('../src/cli/bake-command.js');
    const { verifyCommand } = await import('../src/cli/verify-command.js');
    const { bootCommand } = await import('../src/cli/boot-command.js');
    const { definedFlags } = await import('../src/compose/plugin-flags.js');
    const flags = { json: false, debug: false, help: false, command: 'plugins' };
    const never = (): Promise<never> => Promise.reject(new Error('no session in this test'));
    for (const build of [bakeCommand, verifyCommand, bootCommand]) {
      const command = await build(flags, never, () => undefined);
      for (const flag of definedFlags(command)) assert.ok(RESERVED_FLAGS.includes(flag), `--${flag} of aminate ${command.name()} is not in RESERVED_FLAGS`);
    }
  });
});
