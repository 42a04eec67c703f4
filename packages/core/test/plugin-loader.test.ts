// tsyringe needs the Reflect metadata polyfill before it loads (core's index loads it, but imports after this one).
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { container } from 'tsyringe';
import {
  currentLoadHost,
  type DiscoveredPlugin,
  discoverPlugins,
  ErrorCodes,
  loadPlugin,
  PluginLoadError,
  PROVISIONER,
  registerPlugin,
  resolvePlugin,
  selectPlugin,
} from '../src/internal.js';
import { pluginPackage, TempTree } from './temp-packages.js';

const GOOD = `
const schema = { safeParse: (v) => (v && v.bad ? { success: false, error: { issues: [{ path: ['bad'], message: 'no' }] } } : { success: true, data: v }) };
class P { parseSpec(raw) { return { raw, source: 'repository' }; } async provision() { return { name: 'n', version: '1', release: '1', arch: 'a' }; } }
export default { kind: 'provisioner', name: 'good', apiVersion: 2, configSchema: schema,
  register(c) { c.register(Symbol.for('aminator.provisioner'), { useClass: P }); } };
`;

describe('loadPlugin', () => {
  const tree = new TempTree();
  after(() => tree.remove());
  const nm = 'node_modules';
  tree.pkg(`${nm}/good`, pluginPackage('good', 'provisioner', 'good'), { 'index.js': GOOD });
  tree.pkg(
    `${nm}/exports-map`,
    pluginPackage('exports-map', 'provisioner', 'exports-map', { main: undefined, exports: { '.': { import: './lib/entry.js' } } }),
  );
  tree.file(`${nm}/exports-map/lib/entry.js`, GOOD.replace("name: 'good'", "name: 'exports-map'"));
  tree.pkg(`${nm}/import-fails`, pluginPackage('import-fails', 'provisioner', 'import-fails'), { 'index.js': "throw new Error('boom at import');" });
  tree.pkg(`${nm}/bad-shape`, pluginPackage('bad-shape', 'provisioner', 'bad-shape'), {
    'index.js': "export default { kind: 'provisioner', name: 'bad-shape', apiVersion: 2 };",
  });
  tree.pkg(`${nm}/mismatch`, pluginPackage('mismatch', 'provisioner', 'mismatch'), { 'index.js': GOOD });
  tree.pkg(
    `${nm}/wrong-api`,
    pluginPackage('wrong-api', 'provisioner', 'wrong-api', { aminator: { kind: 'provisioner', name: 'wrong-api', apiVersion: 99 } }),
    { 'index.js': "throw new Error('imported although refused');" },
  );
  tree.pkg(`${nm}/module-api`, pluginPackage('module-api', 'provisioner', 'module-api'), {
    'index.js': GOOD.replace("name: 'good', apiVersion: 2", "name: 'module-api', apiVersion: 3"),
  });
  tree.pkg(`${nm}/second-core`, pluginPackage('second-core', 'provisioner', 'second-core'), { 'index.js': "throw new Error('imported although refused');" });
  tree.pkg(`${nm}/second-core/node_modules/@aminator/core`, { name: '@aminator/core', version: '0.0.1' });
  tree.pkg(`${nm}/peer-range`, pluginPackage('peer-range', 'provisioner', 'peer-range', { peerDependencies: { '@aminator/core': '^9.0.0' } }), {
    'index.js': GOOD,
  });
  tree.pkg(`${nm}/no-entry`, pluginPackage('no-entry', 'provisioner', 'no-entry'));
  tree.pkg(`${nm}/no-register`, pluginPackage('no-register', 'provisioner', 'no-register'), {
    'index.js':
      "export default { kind: 'provisioner', name: 'no-register', apiVersion: 2, configSchema: { safeParse: (v) => ({ success: true, data: v }) }, register() {} };",
  });
  const discovery = discoverPlugins({ searchPaths: [join(tree.root, nm)] });
  const find = (name: string): DiscoveredPlugin => selectPlugin(discovery, 'provisioner', name);
  const failure = async (name: string): Promise<PluginLoadError> => {
    try {
      await loadPlugin(find(name), currentLoadHost());
    } catch (error) {
      assert.ok(error instanceof PluginLoadError, String(error));
      return error;
    }
    assert.fail(`${name} loaded`);
  };

  it('loads a good plugin from main or from an exports map', async () => {
    for (const name of ['good', 'exports-map']) {
      const loaded = await loadPlugin(find(name), currentLoadHost());
      assert.equal(loaded.module.name, name);
    }
  });

  it('gives each failing phase its own code', async () => {
    const expected: Record<string, [string, string]> = {
      'import-fails': [ErrorCodes.PLUGIN_IMPORT, 'import'],
      'bad-shape': [ErrorCodes.PLUGIN_SHAPE, 'shape'],
      'wrong-api': [ErrorCodes.PLUGIN_API_VERSION, 'api-version'],
      'module-api': [ErrorCodes.PLUGIN_API_VERSION, 'api-version'],
      'second-core': [ErrorCodes.PLUGIN_DUPLICATE_CORE, 'peer'],
      'peer-range': [ErrorCodes.PLUGIN_PEER, 'peer'],
      'no-entry': [ErrorCodes.PLUGIN_NOT_FOUND, 'resolve'],
    };
    for (const [name, [code, phase]] of Object.entries(expected)) {
      const error = await failure(name);
      assert.deepEqual([error.code, error.phase], [code, phase], `${name}: ${error.message}`);
      assert.equal(error.exitCode, 2);
    }
  });

  it('keeps the cause of an import failure', async () => {
    const error = await failure('import-fails');
    assert.match(String((error.cause as Error).message), /boom at import/);
  });

  it('says how to install a plugin that is not there', () => {
    assert.throws(
      () => selectPlugin(discovery, 'cloud', 'ec2'),
      (error: PluginLoadError) => {
        assert.equal(error.code, ErrorCodes.PLUGIN_NOT_FOUND);
        assert.ok(error.suggestions.some((s) => s.includes('npm i @aminator/cloud-ec2')));
        return true;
      },
    );
  });

  it('registers into a child container, binds config, and checks the kind token', async () => {
    const run = container.createChildContainer();
    const loaded = await loadPlugin(find('good'), currentLoadHost());
    await registerPlugin(run, loaded, { level: 1 });
    const instance = resolvePlugin(run, 'provisioner', 'good');
    assert.equal(typeof instance.provision, 'function');
    assert.equal(run.resolve(PROVISIONER), instance, 'the instance is pinned for the whole run');
    assert.deepEqual(run.resolve(Symbol.for('aminator.provisioner.config')), { level: 1 });
    assert.equal(container.isRegistered(PROVISIONER), false, 'nothing leaks into the root container');
    const lazy = await loadPlugin(find('no-register'), currentLoadHost());
    await assert.rejects(registerPlugin(container.createChildContainer(), lazy, {}), { code: ErrorCodes.PLUGIN_REGISTER });
  });
});
