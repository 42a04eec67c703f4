import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * A global npm prefix laid out as `npm i -g @aminator/core-bin @acme/aminator-provisioner-script`
 * leaves it: core-bin copied (so its own location decides where it looks), everything else linked.
 */
function installGlobally(prefix: string): string {
  const root = join(prefix, 'lib', 'node_modules');
  mkdirSync(join(root, '@aminator'), { recursive: true });
  mkdirSync(join(root, '@acme'), { recursive: true });
  const cli = join(root, '@aminator', 'core-bin');
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(repo, 'packages', 'core-bin', part), join(cli, part), { recursive: true });
  symlinkSync(join(repo, 'packages', 'core'), join(root, '@aminator', 'core'));
  for (const dep of ['commander', 'tsyringe', 'reflect-metadata']) symlinkSync(realpathSync(join(repo, 'node_modules', dep)), join(root, dep));
  symlinkSync(join(repo, 'examples', 'provisioner-script'), join(root, '@acme', 'aminator-provisioner-script'));
  return join(cli, 'bin', 'aminate.js');
}

describe('aminate installed from npm (global prefix)', () => {
  const prefix = mkdtempSync(join(tmpdir(), 'aminate-prefix-'));
  const project = mkdtempSync(join(tmpdir(), 'aminate-project-'));
  after(() => {
    rmSync(prefix, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  });
  const bin = installGlobally(prefix);
  writeFileSync(join(project, 'package.json'), '{}');
  const run = (...args: string[]): { code: number | null; stdout: string; stderr: string } => {
    const result = spawnSync(process.execPath, [bin, ...args], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, npm_config_prefix: prefix, AMINATOR_CONFIG: '' },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('finds the third-party plugin installed next to it, with no change to core or core-bin', () => {
    const result = run('plugins', 'list', '--json');
    assert.equal(result.code, 0, result.stderr);
    const { plugins } = JSON.parse(result.stdout);
    const script = plugins.find((p: { package: string }) => p.package === '@acme/aminator-provisioner-script');
    assert.deepEqual({ kind: script?.kind, name: script?.name, version: script?.version }, { kind: 'provisioner', name: 'script', version: '1.0.0' });
    assert.equal(script.foundIn, join(prefix, 'lib', 'node_modules'));
  });

  it('loads it through every phase (plugins doctor)', () => {
    const result = run('plugins', 'doctor', '--json');
    const report = JSON.parse(result.stdout);
    const finding = report.findings.find((f: { plugin: string }) => f.plugin.includes('@acme/aminator-provisioner-script'));
    assert.equal(finding?.status, 'ok', JSON.stringify(finding));
    assert.equal(result.code, 2, 'the default environment local_apt_linux is not installed in this prefix');
  });

  it('forgets it once its package is removed from node_modules', () => {
    rmSync(join(prefix, 'lib', 'node_modules', '@acme', 'aminator-provisioner-script'));
    const { plugins } = JSON.parse(run('plugins', 'list', '--json').stdout);
    assert.equal(
      plugins.some((p: { package: string }) => p.package === '@acme/aminator-provisioner-script'),
      false,
    );
  });
});
