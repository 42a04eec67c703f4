import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type BaseImage, ProcessCommandRunner, type ProvisionInput } from '@aminator/core/internal';
import { createTestStepContext, describePluginConformance, RecordingCommandRunner } from '@aminator/testkit';
import plugin, { ScriptProvisioner, scriptConfigSchema } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const base: BaseImage = { id: 'img-base', name: 'debian-base', sizeBytes: 1, architecture: 'x86_64', tags: {} };

describePluginConformance(plugin, {
  packageDir,
  config: { version: '2.0' },
  invalidConfigs: [{ interpreter: 'sh' }, { version: '1.0; rm -rf /' }, { timeoutSec: 0 }, { other: 1 }],
});

/** A minimal root file system: dash and the libraries it links, enough for chroot to run a script. */
function miniRoot(dir: string): void {
  const dash = '/bin/dash';
  const libraries = execFileSync('ldd', [dash], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((p): p is string => p !== undefined);
  for (const file of [dash, ...libraries]) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    copyFileSync(file, join(dir, file));
  }
  symlinkSync('dash', join(dir, 'bin', 'sh'));
  mkdirSync(join(dir, 'tmp'));
}

describe('script provisioner', () => {
  const work = mkdtempSync(join(tmpdir(), 'aminator-script-test-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const config = scriptConfigSchema.parse({ version: '2.0', release: '3' });
  const script = join(work, 'Setup App.sh');
  writeFileSync(script, 'echo "$AMINATOR_PACKAGE $AMINATOR_APPVERSION $AMINATOR_BASE_AMI_ID" > /marker\necho done\n');

  it('refuses specs that are options, missing or not files', () => {
    const provisioner = new ScriptProvisioner(config, new RecordingCommandRunner());
    assert.throws(() => provisioner.parseSpec('-oAPT::x'), /looks like an option/);
    assert.throws(() => provisioner.parseSpec(join(work, 'missing.sh')), /does not exist/);
    assert.throws(() => provisioner.parseSpec(work), /not a regular file/);
    assert.deepEqual(provisioner.parseSpec(script), { raw: script, source: 'file', name: 'setup-app', version: '2.0' });
  });

  it('runs the copied script through chroot with AMINATOR_* variables and a clean environment', async () => {
    const root = join(work, 'recorded-root');
    mkdirSync(join(root, 'tmp'), { recursive: true });
    const runner = new RecordingCommandRunner();
    const provisioner = new ScriptProvisioner(config, runner);
    const { ctx, stack } = createTestStepContext({ runId: 'r1' });
    const input: ProvisionInput = {
      chroot: { root, family: 'debian', env: {} },
      spec: provisioner.parseSpec(script),
      baseImage: base,
      environment: 'local_script_linux',
    };
    const installed = await provisioner.provision(input, ctx);
    assert.deepEqual(installed, { name: 'setup-app', version: '2.0', release: '3', arch: 'x86_64' });
    assert.deepEqual(runner.lines(), [`chroot ${root} /bin/sh /tmp/aminator-script-r1`]);
    const options = runner.commands[0]?.options;
    assert.equal(options?.extendEnv, false);
    assert.equal(options?.env?.AMINATOR_APPVERSION, 'setup-app-2.0-3');
    assert.ok(existsSync(join(root, 'tmp', 'aminator-script-r1')));
    await stack.unwind({ reason: 'success' });
    assert.equal(existsSync(join(root, 'tmp', 'aminator-script-r1')), false, 'the script is removed on unwind');
  });

  it('refuses to write through a /tmp that is a symlink out of the chroot', async () => {
    const root = join(work, 'hostile-root');
    const outside = join(work, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    symlinkSync(outside, join(root, 'tmp'));
    const provisioner = new ScriptProvisioner(config, new RecordingCommandRunner());
    const { ctx } = createTestStepContext();
    const input: ProvisionInput = { chroot: { root, family: 'debian', env: {} }, spec: provisioner.parseSpec(script), baseImage: base, environment: 'e' };
    await assert.rejects(provisioner.provision(input, ctx), { code: 'E_SCRIPT_TMP' });
    assert.deepEqual(execFileSync('ls', ['-A', outside], { encoding: 'utf8' }), '');
  });

  it('runs the script for real in a chroot (root only)', { skip: process.getuid?.() !== 0 && 'needs root for chroot' }, async () => {
    const root = join(work, 'real-root');
    miniRoot(root);
    const { ctx, stack, logs } = createTestStepContext({ runId: 'real' });
    const provisioner = new ScriptProvisioner(config, new ProcessCommandRunner(ctx.log));
    const input: ProvisionInput = { chroot: { root, family: 'debian', env: {} }, spec: provisioner.parseSpec(script), baseImage: base, environment: 'e' };
    await provisioner.provision(input, ctx);
    assert.equal(readFileSync(join(root, 'marker'), 'utf8'), 'setup-app setup-app-2.0-3 img-base\n');
    assert.ok(logs.includes('info done'), logs.join('\n'));
    const report = await stack.unwind({ reason: 'success' });
    assert.deepEqual(report.errors, []);
    assert.equal(existsSync(join(root, 'tmp', 'aminator-script-real')), false);
  });
});
