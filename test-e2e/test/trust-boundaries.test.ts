import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT_ONLY, runCli } from '@aminator/testkit';
import { bin } from './local-world.js';

const NOBODY = 65534;

/**
 * A plugin package whose module writes `marker` the moment it is imported: if the marker exists
 * after a run, aminate ran code another user could have written.
 */
function markerPlugin(dir: string, marker: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: '@aminator/cloud-local',
      version: '0.1.0',
      type: 'module',
      main: 'index.js',
      keywords: ['aminator-plugin'],
      aminator: { kind: 'cloud', name: 'local', apiVersion: 2, commands: ['pwn'] },
      peerDependencies: { '@aminator/core': '*' },
    }),
  );
  writeFileSync(join(dir, 'index.js'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'imported');\nexport default {};\n`);
}

function markerConfig(file: string, marker: string): void {
  writeFileSync(file, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'imported');\nexport default {};\n`);
}

/** Give `dir` and everything in it to another user, as an unprivileged attacker's files would be. */
function giveAway(dir: string, uid = NOBODY): void {
  chownSync(dir, uid, uid);
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) chownSync(join(dir, entry), uid, uid);
}

describe('trust boundaries: config and plugins from paths another user can write', ROOT_ONLY, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-e2e-trust-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  let n = 0;
  const fresh = (): { dir: string; marker: string } => {
    const dir = join(scratch, `case-${++n}`);
    mkdirSync(dir, { recursive: true });
    return { dir, marker: join(scratch, `marker-${n}`) };
  };

  it("refuses a project's config module in a directory another user owns: exit 2 naming it, the module never runs", async () => {
    const { dir, marker } = fresh();
    const project = join(dir, 'x');
    mkdirSync(join(project, 'a', 'b'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{}');
    markerConfig(join(project, 'aminator.config.mjs'), marker);
    giveAway(project);
    const result = await runCli(bin, ['config'], { cwd: join(project, 'a', 'b') });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /E_UNTRUSTED_PATH/);
    assert.match(result.stderr, new RegExp(`${join(project, 'aminator.config.mjs')}.*owner nobody \\(uid ${NOBODY}\\), mode 0755`));
    assert.equal(existsSync(marker), false, 'the config module ran');
  });

  it('never searches for config above the project root (the nearest package.json or .git)', async () => {
    const { dir, marker } = fresh();
    markerConfig(join(dir, 'aminator.config.mjs'), marker);
    mkdirSync(join(dir, 'project', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'project', 'package.json'), '{}');
    const result = await runCli(bin, ['config', '--json'], { cwd: join(dir, 'project', 'sub') });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(existsSync(marker), false, 'a config above the project root was imported');
    // Without any project root, only the working directory is searched.
    const loose = join(dir, 'loose', 'deeper');
    mkdirSync(loose, { recursive: true });
    markerConfig(join(dir, 'loose', 'aminator.config.mjs'), marker);
    assert.equal((await runCli(bin, ['config'], { cwd: loose })).code, 0);
    assert.equal(existsSync(marker), false, 'a config in a parent of a directory without a project root was imported');
  });

  it('refuses a config file writable by others, even in a directory root owns', async () => {
    const { dir, marker } = fresh();
    writeFileSync(join(dir, 'package.json'), '{}');
    markerConfig(join(dir, 'aminator.config.mjs'), marker);
    chmodSync(join(dir, 'aminator.config.mjs'), 0o666);
    const result = await runCli(bin, ['config'], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /writable by other users.*mode 0666/);
    assert.equal(existsSync(marker), false);
  });

  it("refuses pluginPaths that name another user's directory: exit 2, no plugin imported", async () => {
    const { dir, marker } = fresh();
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, '.aminatorrc.yaml'), 'pluginPaths: [./p]\n');
    markerPlugin(join(dir, 'p', 'fake-local'), marker);
    giveAway(join(dir, 'p'));
    for (const args of [['plugins', 'list'], ['pwn'], ['bake', '--dry-run', 'hello']]) {
      const result = await runCli(bin, args, { cwd: dir });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /E_UNTRUSTED_PATH: refusing plugin path/);
      assert.equal(existsSync(marker), false, `${args.join(' ')} imported the plugin`);
    }
  });

  it('never finds plugins in a node_modules above the project (anyone can write /tmp/node_modules)', async () => {
    const { dir, marker } = fresh();
    markerPlugin(join(dir, 'node_modules', '@aminator', 'cloud-local'), marker);
    giveAway(join(dir, 'node_modules'));
    const project = join(dir, 'work', 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package.json'), '{}');
    const listed = await runCli(bin, ['plugins', 'list', '--json'], { cwd: project });
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout.includes(join(dir, 'node_modules')), false, 'a plugin above the project was found');
    const pwn = await runCli(bin, ['pwn'], { cwd: project });
    assert.equal(pwn.code, 2, 'pwn is no command of aminate');
    const dry = await runCli(bin, ['bake', '--dry-run', 'hello'], { cwd: project });
    assert.doesNotMatch(dry.stderr, /E_PLUGIN_AMBIGUOUS/);
    assert.equal(existsSync(marker), false, 'the plugin above the project was imported');
  });

  it("refuses a plugin in the project's own node_modules when another user can write it", async () => {
    const { dir, marker } = fresh();
    writeFileSync(join(dir, 'package.json'), '{}');
    markerPlugin(join(dir, 'node_modules', '@aminator', 'cloud-local'), marker);
    giveAway(join(dir, 'node_modules', '@aminator', 'cloud-local'));
    const result = await runCli(bin, ['plugins', 'list'], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /refusing plugin package .*cloud-local.*owner nobody/);
    assert.equal(existsSync(marker), false);
  });

  it('still runs from a root-owned project under a sticky, world-writable /tmp', async () => {
    const { dir } = fresh();
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'aminator.config.yaml'), 'workRoot: /var/lib/aminator/work\n');
    const result = await runCli(bin, ['config'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
  });
});
