import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findPackageFrom, importConditions, PackageLookup, resolvePackageEntry } from '../src/plugin/package-resolution.js';

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

describe('PackageLookup', () => {
  function tree(): string {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'aminator-lookup-')));
    const pkg = (dir: string, name: string) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name }));
    };
    pkg(join(root, 'node_modules', 'lib'), 'lib');
    pkg(join(root, 'node_modules', '@s', 'lib'), '@s/lib');
    pkg(join(root, 'a', 'node_modules', 'lib'), 'lib');
    mkdirSync(join(root, 'b', 'deep'), { recursive: true });
    pkg(join(root, 'real-c'), 'c');
    symlinkSync(join(root, 'real-c'), join(root, 'node_modules', 'c'));
    return root;
  }

  it('answers as Node resolves: the nearest node_modules first, real paths, nothing when no copy exists', (t) => {
    const root = tree();
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const lookup = new PackageLookup();
    assert.equal(lookup.find(join(root, 'a'), 'lib'), join(root, 'a', 'node_modules', 'lib'));
    assert.equal(lookup.find(join(root, 'b', 'deep'), 'lib'), join(root, 'node_modules', 'lib'));
    assert.equal(lookup.find(join(root, 'b', 'deep'), '@s/lib'), join(root, 'node_modules', '@s', 'lib'));
    assert.equal(lookup.find(join(root, 'b'), 'c'), join(root, 'real-c'));
    assert.equal(lookup.find(join(root, 'b'), 'absent'), undefined);
    for (const [from, name] of [
      [join(root, 'a'), 'lib'],
      [join(root, 'b', 'deep'), 'lib'],
      [join(root, 'b'), 'c'],
      [root, 'absent'],
    ] as const) {
      assert.equal(lookup.find(from, name), findPackageFrom(from, name), `${name} from ${from}`);
    }
  });

  it('is one moment of the file system: a package added later is seen by a new lookup, not by the one that looked', (t) => {
    const root = tree();
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const lookup = new PackageLookup();
    assert.equal(lookup.find(join(root, 'b'), 'late'), undefined);
    mkdirSync(join(root, 'b', 'node_modules', 'late'), { recursive: true });
    writeFileSync(join(root, 'b', 'node_modules', 'late', 'package.json'), '{"name":"late","version":"1.0.0"}');
    assert.equal(lookup.find(join(root, 'b'), 'late'), undefined);
    assert.equal(new PackageLookup().find(join(root, 'b'), 'late'), join(root, 'b', 'node_modules', 'late'));
    assert.equal(lookup.packageJson(join(root, 'real-c')).name, 'c');
  });
});
