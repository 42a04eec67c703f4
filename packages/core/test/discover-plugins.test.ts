import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { discoverPlugins, ErrorCodes, nodeModulesChain } from '../src/internal.js';
import { pluginPackage, TempTree } from './temp-packages.js';

describe('discoverPlugins', () => {
  const tree = new TempTree();
  after(() => tree.remove());
  const first = join(tree.root, 'a', 'node_modules');
  const second = join(tree.root, 'b', 'node_modules');
  tree.pkg('a/node_modules/aminator-provisioner-x', pluginPackage('aminator-provisioner-x', 'provisioner', 'x'));
  tree.pkg('a/node_modules/@acme/cloud-y', pluginPackage('@acme/cloud-y', 'cloud', 'y'));
  tree.pkg('a/node_modules/left-pad', { name: 'left-pad', version: '1.0.0', keywords: ['pad'] });
  tree.pkg('a/node_modules/mentions', { name: 'mentions', version: '1.0.0', description: 'not an aminator-plugin, only says so' });
  tree.pkg('a/node_modules/no-manifest', { name: 'no-manifest', version: '1.0.0', keywords: ['aminator-plugin'] });
  tree.pkg('a/node_modules/bad-kind', pluginPackage('bad-kind', 'database', 'z'));
  tree.pkg(
    'a/node_modules/escape-entry',
    pluginPackage('escape-entry', 'os', 'e', { aminator: { kind: 'os', name: 'e', apiVersion: 2, entry: '../../etc/passwd' } }),
  );
  tree.file('a/node_modules/broken-json/package.json', '{ "keywords": ["aminator-plugin"], ');
  tree.pkg('a/node_modules/.bin-like', pluginPackage('hidden', 'os', 'hidden'));
  tree.pkg('a/node_modules/deep/node_modules/nested', pluginPackage('nested', 'os', 'nested'));
  tree.pkg('b/node_modules/aminator-provisioner-x', pluginPackage('aminator-provisioner-x', 'provisioner', 'x', { version: '0.9.0' }));
  const linked = tree.pkg('elsewhere/linked', pluginPackage('linked', 'finalizer', 'linked'));
  symlinkSync(linked, join(first, 'linked'));

  it('finds plugins among direct and scoped children, following symlinks, never deeper', () => {
    const result = discoverPlugins({ searchPaths: [first, second] });
    const names = result.plugins.map((p) => `${p.kind}/${p.name}@${p.version}`).sort();
    assert.deepEqual(names, ['cloud/y@1.2.3', 'finalizer/linked@1.2.3', 'provisioner/x@1.2.3']);
    const linkedPlugin = result.plugins.find((p) => p.name === 'linked');
    assert.equal(linkedPlugin?.path, linked);
  });

  it('rejects candidates with the keyword but a missing or invalid manifest, with a reason code', () => {
    const result = discoverPlugins({ searchPaths: [first] });
    const rejected = Object.fromEntries(result.rejected.map((r) => [r.packageName ?? r.path, r]));
    assert.deepEqual(Object.keys(rejected).sort(), ['bad-kind', 'escape-entry', join(first, 'broken-json'), 'no-manifest'].sort());
    for (const r of result.rejected) assert.equal(r.code, ErrorCodes.PLUGIN_MANIFEST);
    assert.match(rejected['no-manifest']?.reason ?? '', /no "aminator" manifest/);
    assert.match(rejected['bad-kind']?.reason ?? '', /aminator\.kind/);
    assert.match(rejected['escape-entry']?.reason ?? '', /inside the package/);
  });

  it('lets the first copy of a package win and reports the others as shadowed', () => {
    const result = discoverPlugins({ searchPaths: [first, second] });
    assert.equal(result.shadowed.length, 1);
    assert.equal(result.shadowed[0]?.version, '0.9.0');
  });

  it('takes configured plugin paths: a package directory or a folder of packages', () => {
    const single = tree.pkg('configured/one', pluginPackage('one', 'volume', 'one'));
    tree.pkg('configured/many/two', pluginPackage('two', 'volume', 'two'));
    const result = discoverPlugins({ searchPaths: [], pluginPaths: [single, join(tree.root, 'configured', 'many')] });
    assert.deepEqual(result.plugins.map((p) => p.name).sort(), ['one', 'two']);
  });

  it('forgets a plugin once its package is removed from node_modules', () => {
    const dir = tree.pkg('c/node_modules/transient', pluginPackage('transient', 'metrics', 'transient'));
    const searchPaths = [join(tree.root, 'c', 'node_modules')];
    assert.equal(discoverPlugins({ searchPaths }).plugins.length, 1);
    rmSync(dir, { recursive: true });
    assert.equal(discoverPlugins({ searchPaths }).plugins.length, 0);
  });

  it('reads a package.json of any sane size, and skips what is no regular file without blocking', () => {
    const big = tree.pkg('d/node_modules/big', { description: 'x'.repeat(200 * 1024), ...pluginPackage('big', 'metrics', 'big') });
    tree.pkg('d/node_modules/big-other', { description: 'y'.repeat(200 * 1024), name: 'big-other', version: '1.0.0' });
    mkdirSync(join(tree.root, 'd/node_modules/dir-named/package.json'), { recursive: true });
    mkdirSync(join(tree.root, 'd/node_modules/fifo'), { recursive: true });
    execFileSync('mkfifo', [join(tree.root, 'd/node_modules/fifo/package.json')]);
    const result = discoverPlugins({ searchPaths: [join(tree.root, 'd', 'node_modules')] });
    assert.deepEqual(
      result.plugins.map((p) => p.path),
      [big],
    );
    assert.deepEqual(result.rejected, []);
  });

  it('tolerates missing search directories', () => {
    assert.deepEqual(discoverPlugins({ searchPaths: [join(tree.root, 'missing')] }).plugins, []);
  });

  it('walks node_modules directories upward from a directory, nearest first', () => {
    assert.deepEqual(nodeModulesChain('/x/y'), ['/x/y/node_modules', '/x/node_modules', '/node_modules']);
    assert.deepEqual(nodeModulesChain('/x/node_modules/p'), ['/x/node_modules/p/node_modules', '/x/node_modules', '/node_modules']);
  });
});
