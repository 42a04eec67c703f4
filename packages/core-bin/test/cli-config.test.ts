import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { aminate, fakeProjects } from './cli-harness.js';

const KINDS = ['cloud', 'volume', 'os', 'provisioner', 'finalizer'];

describe('aminate configuration errors and environments (CLI)', () => {
  const project = fakeProjects(after);

  it('a bad plugin value exits 2 naming the file, the key path and the plugin', async () => {
    const p = project({ provisioner: { delayMs: 'slow' } });
    const result = await aminate(['bake', '--dry-run', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 2);
    assert.ok(result.stderr.includes(p.configFile), result.stderr);
    assert.match(result.stderr, /provisioner\.fake\.delayMs/);
    assert.match(result.stderr, /\[provisioner\/fake\]/);
    assert.match(result.stderr, /E_CONFIG_INVALID/);
  });

  it('a bad core key exits 2 naming the file, the key and core', async () => {
    const p = project({}, { abortGraceMs: -5 });
    const result = await aminate(['environments', '-c', p.configFile]);
    assert.equal(result.code, 2);
    assert.ok(result.stderr.includes(p.configFile));
    assert.match(result.stderr, /abortGraceMs.*\[core\]/);
  });

  it('an unparsable config exits 2 with E_CONFIG_LOAD', async () => {
    const p = project();
    const broken = join(p.dir, 'broken.yaml');
    writeFileSync(broken, 'environments: [oops\n');
    const result = await aminate(['config', '-c', broken]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /E_CONFIG_LOAD/);
    const missing = await aminate(['config', '-c', join(p.dir, 'nope.yaml')]);
    assert.equal(missing.code, 2);
  });

  it('an unknown environment exits 2 and suggests the nearest name', async () => {
    const p = project();
    const result = await aminate(['-e', 'fak', 'bake', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /E_ENVIRONMENT_UNKNOWN/);
    assert.match(result.stderr, /did you mean fake\?/);
  });

  // An environment naming a cloud plugin that exists nowhere (the workspace has every real one).
  const withGhost = (): ReturnType<typeof project> =>
    project(
      {},
      {
        environments: {
          fake: Object.fromEntries(KINDS.map((k) => [k, 'fake'])),
          ghost: { ...Object.fromEntries(KINDS.map((k) => [k, 'fake'])), cloud: 'nimbus' },
        },
      },
    );

  it('a selected plugin that is not installed exits 2 with the npm command', async () => {
    const p = withGhost();
    const result = await aminate(['-e', 'ghost', 'bake', 'hello', '-c', p.configFile]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /E_PLUGIN_NOT_FOUND/);
    assert.match(result.stderr, /npm i @aminator\/cloud-nimbus/);
  });

  it('config --json shows every value with the layer it came from', async () => {
    const p = project();
    const result = await aminate(['config', '--json', '-c', p.configFile]);
    assert.equal(result.code, 0, result.stderr);
    const config = JSON.parse(result.stdout);
    const byKey = Object.fromEntries(config.values.map((v: { key: string; source: string; value: unknown }) => [v.key, v]));
    assert.equal(byKey.environment.source, p.configFile);
    assert.equal(byKey.environment.value, 'fake');
    assert.equal(byKey.abortGraceMs.source, 'defaults');
    assert.deepEqual(config.layers, ['defaults', p.configFile]);
  });

  it('environments --json lists each plugin set and whether its plugins are installed', async () => {
    const p = withGhost();
    const result = await aminate(['environments', '--json', '-c', p.configFile]);
    assert.equal(result.code, 0);
    const list = JSON.parse(result.stdout);
    assert.equal(list.default, 'fake');
    const fake = list.environments.find((e: { name: string }) => e.name === 'fake');
    assert.ok(Object.values(fake.plugins).every((pl) => (pl as { installed: boolean }).installed));
    const ghost = list.environments.find((e: { name: string }) => e.name === 'ghost');
    assert.equal(ghost.plugins.cloud.installed, false);
    assert.equal(ghost.plugins.os.installed, true);
  });
});
