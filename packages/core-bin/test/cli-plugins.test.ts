import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { aminate, fakeProjects, fixtures } from './cli-harness.js';

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

  it('plugins doctor reports each broken plugin with its own code, and exits 0 when the selected environment is fine', async () => {
    const result = await aminate(['plugins', 'doctor', '--json'], { cwd: join(fixtures, 'broken') });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout);
    const codeOf = (name: string): string | undefined => report.findings.find((f: { plugin: string }) => f.plugin.includes(name))?.error?.code;
    assert.equal(codeOf('no-manifest'), 'E_PLUGIN_MANIFEST');
    assert.equal(codeOf('bad-shape'), 'E_PLUGIN_SHAPE');
    assert.equal(codeOf('wrong-api'), 'E_PLUGIN_API_VERSION');
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
    assert.match(result.stderr, /^warn: SIGINT received: stopping aminate fake-wait and cleaning up what it acquired…$/m);
    assert.doesNotMatch(result.stderr, /stopping the bake/);
    assert.match(result.stderr, /released the fake resource/);
    assert.match(result.stderr, /^error E_INTERRUPTED: /m);
    assert.doesNotMatch(result.stderr, /error: error/);
  });
});

describe('plugin pairings (manifest "requires")', () => {
  const project = fakeProjects(after);
  const picky = { environments: { picky: { cloud: 'fake', blockdevice: 'fake', volume: 'fake', os: 'fake', provisioner: 'fake', finalizer: 'needs-ec2' } } };

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
