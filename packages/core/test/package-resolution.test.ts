import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { importConditions, resolvePackageEntry } from '../src/plugin/package-resolution.js';

describe('importConditions', () => {
  it('puts the conditions node was started with before its own, from execArgv and NODE_OPTIONS', () => {
    assert.deepEqual(importConditions([], ''), ['import', 'node', 'default']);
    assert.deepEqual(importConditions(['--conditions=aminator-source'], ''), ['aminator-source', 'import', 'node', 'default']);
    assert.deepEqual(importConditions(['-C', 'a', '--test'], '--conditions b'), ['b', 'a', 'import', 'node', 'default']);
  });

  it('is what this test process runs with: the per-file build of each package', () => {
    assert.ok(importConditions().includes('aminator-source'), 'scripts/run-tests.mjs passes --conditions=aminator-source');
  });
});

describe('resolvePackageEntry', () => {
  const exportsMap = { '.': { types: './dist/src/index.d.ts', 'aminator-source': './dist/src/index.js', default: './dist/bundle/index.js' } };

  it('takes the first key of the exports object that is an active condition, as Node does', () => {
    // This process has aminator-source (tests): the per-file build, which the plugin's own imports match.
    assert.equal(resolvePackageEntry('/p', { exports: exportsMap }), join('/p', 'dist/src/index.js'));
    const defaultFirst = { '.': { default: './dist/bundle/index.js', 'aminator-source': './dist/src/index.js' } };
    assert.equal(resolvePackageEntry('/p', { exports: defaultFirst }), join('/p', 'dist/bundle/index.js'));
  });

  it('falls back to main, then index.js, and a manifest entry wins over both', () => {
    assert.equal(resolvePackageEntry('/p', { main: './lib/m.js' }), join('/p', 'lib/m.js'));
    assert.equal(resolvePackageEntry('/p', {}), join('/p', 'index.js'));
    assert.equal(resolvePackageEntry('/p', { exports: exportsMap }, 'dist/other.js'), join('/p', 'dist/other.js'));
  });
});
