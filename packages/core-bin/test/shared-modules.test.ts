import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { DiscoveredPlugin, SharedLibrary } from '@aminator/core/host';
import { otherCopyReached } from '../src/cli/shared-modules.js';

const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'aminator-shared-modules-')));
after(() => rmSync(scratch, { recursive: true, force: true }));

function pkg(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0' }));
  return dir;
}

/** A project install: everything hoisted into one node_modules, as npm does it. */
function project(name: string): { nm: string; cli: string; plugin: DiscoveredPlugin; library: SharedLibrary } {
  const nm = join(scratch, name, 'node_modules');
  for (const dep of ['@aminator/core', 'tsyringe', 'reflect-metadata']) pkg(join(nm, dep), dep);
  const cli = pkg(join(nm, '@aminator', 'core-bin'), '@aminator/core-bin');
  const path = pkg(join(nm, 'aminator-cloud-x'), 'aminator-cloud-x');
  const libraryDir = pkg(join(nm, '@aminator', 'aws-ec2'), '@aminator/aws-ec2');
  const plugin = { kind: 'cloud', name: 'x', path, packageName: 'aminator-cloud-x', packageJson: {} } as unknown as DiscoveredPlugin;
  const library: SharedLibrary = { name: '@aminator/aws-ec2', version: '1.0.0', dir: libraryDir, entry: join(libraryDir, 'index.js'), copies: [libraryDir] };
  return { nm, cli, plugin, library };
}

describe('otherCopyReached: whether plugins need the resolution hooks', () => {
  it('is false when Node would give every plugin and library the copies aminate runs (a project install)', () => {
    const p = project('hoisted');
    assert.equal(otherCopyReached([p.plugin], [p.library], p.cli), false);
  });

  it('is true when a plugin has a core of its own beside it (a global install)', () => {
    const p = project('nested-core');
    pkg(join(p.plugin.path, 'node_modules', '@aminator', 'core'), '@aminator/core');
    assert.equal(otherCopyReached([p.plugin], [p.library], p.cli), true);
  });

  it('is true when a shared library would reach another tsyringe, or a plugin another copy of the library', () => {
    const a = project('library-tsyringe');
    pkg(join(a.library.dir, 'node_modules', 'tsyringe'), 'tsyringe');
    assert.equal(otherCopyReached([a.plugin], [a.library], a.cli), true);
    const b = project('plugin-library');
    pkg(join(b.plugin.path, 'node_modules', '@aminator', 'aws-ec2'), '@aminator/aws-ec2');
    assert.equal(otherCopyReached([b.plugin], [b.library], b.cli), true);
  });

  it('is true when a plugin would find no copy at all, and ignores plugins built into core', () => {
    const p = project('outside');
    const stray = { ...p.plugin, path: pkg(join(scratch, 'elsewhere', 'aminator-cloud-y'), 'aminator-cloud-y') } as DiscoveredPlugin;
    assert.equal(otherCopyReached([stray], [], p.cli), true);
    const builtin = { ...stray, builtin: async () => ({}) } as unknown as DiscoveredPlugin;
    assert.equal(otherCopyReached([builtin], [], p.cli), false);
  });
});
