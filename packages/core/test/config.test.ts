import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  type ConfigError,
  DEFAULT_CONFIG,
  ErrorCodes,
  loadConfigFiles,
  mergeLayers,
  selectEnvironment,
  sourceOf,
  validateCoreConfig,
  validatePluginConfig,
  z,
} from '../src/internal.js';
import { TempTree } from './temp-packages.js';

describe('configuration', () => {
  const tree = new TempTree();
  after(() => tree.remove());
  const none = join(tree.root, 'none.yaml');

  it('merges layers, later wins, and remembers where each value came from', () => {
    const merged = mergeLayers([
      { source: 'defaults', data: { a: 1, nested: { x: 1, y: 2 }, list: [1, 2] } },
      { source: '/etc/aminator/config.yaml', data: { nested: { y: 3 }, list: [9] } },
      { source: 'flag --a', data: { a: 5 } },
    ]);
    assert.deepEqual(merged.value, { a: 5, nested: { x: 1, y: 3 }, list: [9] });
    assert.equal(merged.sources.get('a'), 'flag --a');
    assert.equal(merged.sources.get('nested.x'), 'defaults');
    assert.equal(merged.sources.get('nested.y'), '/etc/aminator/config.yaml');
    assert.equal(sourceOf(merged, 'nested.z'), '/etc/aminator/config.yaml', 'a missing key is blamed on the layer that last wrote its section');
  });

  it('ignores prototype-polluting keys', () => {
    const merged = mergeLayers([{ source: 'x', data: JSON.parse('{"__proto__": {"polluted": true}}') }]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.keys(merged.value).length, 0);
  });

  it('loads defaults, system, user and project files in that order', async () => {
    const system = tree.file('etc/config.yaml', 'workRoot: /srv/system\nlockDir: /run/lock/sys\n');
    const user = tree.file('home/config.yaml', 'workRoot: /srv/user\n');
    tree.file('project/package.json', '{}');
    const project = tree.file('project/aminator.config.yaml', 'preserveOnError: true\n');
    const layers = await loadConfigFiles({ cwd: join(tree.root, 'project'), systemFile: system, userFile: user, env: {} });
    assert.deepEqual(
      layers.map((l) => l.source),
      ['defaults', system, user, project],
    );
    const merged = mergeLayers(layers);
    const core = validateCoreConfig(merged);
    assert.equal(core.workRoot, '/srv/user');
    assert.equal(core.lockDir, '/run/lock/sys');
    assert.equal(core.preserveOnError, true);
    assert.equal(sourceOf(merged, 'workRoot'), user);
  });

  it('uses --config (or AMINATOR_CONFIG) instead of the project search, and refuses a missing file', async () => {
    const named = tree.file('named.json', '{"abortGraceMs": 5}');
    const viaEnv = await loadConfigFiles({ cwd: tree.root, systemFile: none, userFile: none, env: { AMINATOR_CONFIG: named } });
    assert.equal(viaEnv.at(-1)?.source, named);
    await assert.rejects(
      loadConfigFiles({ cwd: tree.root, configFile: 'missing.yaml', systemFile: none, userFile: none, env: {} }),
      (e: ConfigError) => e.code === ErrorCodes.CONFIG_LOAD && e.exitCode === 2,
    );
  });

  it('names the file of an unparsable config', async () => {
    const broken = tree.file('broken.yaml', 'environments: [unclosed\n');
    await assert.rejects(
      loadConfigFiles({ cwd: tree.root, configFile: broken, systemFile: none, userFile: none, env: {} }),
      (e: ConfigError) => e.code === ErrorCodes.CONFIG_LOAD && e.message.includes(broken),
    );
    const brokenJson = tree.file('broken.json', '{"workRoot": ');
    await assert.rejects(
      loadConfigFiles({ cwd: tree.root, configFile: brokenJson, systemFile: none, userFile: none, env: {} }),
      (e: ConfigError) => e.code === ErrorCodes.CONFIG_LOAD && e.message.includes(brokenJson),
    );
  });

  it('reads JSON itself, as cosmiconfig would: a mapping, an empty file, and no other value', async () => {
    const load = (file: string) => loadConfigFiles({ cwd: tree.root, configFile: file, systemFile: none, userFile: none, env: {} });
    const json = tree.file('plain.json', '{"workRoot": "/srv/j", "cloud": {"local": {"store": "/s"}}}');
    assert.deepEqual((await load(json)).at(-1), { source: json, data: { workRoot: '/srv/j', cloud: { local: { store: '/s' } } } });
    const empty = tree.file('empty.json', '  \n');
    assert.deepEqual((await load(empty)).at(-1), { source: empty, data: {} });
    await assert.rejects(load(tree.file('list.json', '[1, 2]')), (e: ConfigError) => e.code === ErrorCodes.CONFIG_INVALID);
  });

  it('reports a bad core value with the file and key path, and unknown keys too', () => {
    const merged = mergeLayers([
      { source: 'defaults', data: structuredClone(DEFAULT_CONFIG) as never },
      { source: '/p/aminator.config.yaml', data: { abortGraceMs: 'soon' } },
    ]);
    assert.throws(
      () => validateCoreConfig(merged),
      (e: ConfigError) => {
        assert.equal(e.location.source, '/p/aminator.config.yaml');
        assert.equal(e.location.keyPath, 'abortGraceMs');
        assert.equal(e.location.plugin, 'core');
        return e.exitCode === 2;
      },
    );
    const typo = mergeLayers([
      { source: 'defaults', data: structuredClone(DEFAULT_CONFIG) as never },
      { source: '/p/c.yaml', data: { workroot: '/x' } },
    ]);
    assert.throws(() => validateCoreConfig(typo), /workroot/);
  });

  it("validates a plugin section with the plugin's schema and names the plugin", () => {
    const schema = z.object({ retries: z.number().int() }).strict();
    const merged = mergeLayers([{ source: '/p/c.yaml', data: { provisioner: { apt: { retries: 'many' } } } }]);
    assert.throws(
      () => validatePluginConfig(merged, 'provisioner', 'apt', schema),
      (e: ConfigError) => {
        assert.deepEqual(e.location, { source: '/p/c.yaml', keyPath: 'provisioner.apt.retries', plugin: 'provisioner/apt' });
        return true;
      },
    );
    const ok = mergeLayers([{ source: '/p/c.yaml', data: { provisioner: { apt: { retries: 3 } } } }]);
    assert.deepEqual(validatePluginConfig(ok, 'provisioner', 'apt', schema), { retries: 3 });
  });

  it('selects the default or the named environment, and suggests near names for unknown ones', () => {
    const core = validateCoreConfig(mergeLayers([{ source: 'defaults', data: structuredClone(DEFAULT_CONFIG) as never }]));
    assert.equal(selectEnvironment(core).name, 'local_apt_linux');
    assert.equal(selectEnvironment(core, 'ec2_yum_linux').plugins.finalizer, 'ebs');
    assert.throws(
      () => selectEnvironment(core, 'ec2_apt_linx'),
      (e: { code: string; exitCode: number; suggestions: string[] }) =>
        e.code === ErrorCodes.ENVIRONMENT_UNKNOWN && e.exitCode === 2 && e.suggestions[0] === 'did you mean ec2_apt_linux?',
    );
  });
});
