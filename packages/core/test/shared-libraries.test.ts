import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { chooseSharedLibraries, type DiscoveredPlugin, sharedLibraryProblem } from '../src/internal.js';

describe('shared libraries', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-shared-libs-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** A plugin package with its own copy of a library marked aminator-library. */
  function pluginWithLibrary(name: string, version: string): DiscoveredPlugin {
    const dir = join(scratch, name);
    const lib = join(dir, 'node_modules', 'acme-lib');
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(lib, 'package.json'), JSON.stringify({ name: 'acme-lib', version, keywords: ['aminator-library'], main: 'index.js' }));
    writeFileSync(join(lib, 'index.js'), 'export const x = 1;\n');
    const packageJson = { name, version: '1.0.0', dependencies: { 'acme-lib': '^1.0.0' } };
    writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson));
    return { kind: 'provisioner', name, path: dir, packageJson } as unknown as DiscoveredPlugin;
  }

  it('every plugin gets the newest copy found beside them', async () => {
    const [a, b] = [pluginWithLibrary('plugin-a', '1.0.0'), pluginWithLibrary('plugin-b', '1.2.0')];
    const [shared] = await chooseSharedLibraries([a, b]);
    assert.equal(shared?.name, 'acme-lib');
    assert.equal(shared?.version, '1.2.0');
    assert.equal(shared?.dir, join(b.path, 'node_modules', 'acme-lib'));
    assert.equal(shared?.copies.length, 2);
  });

  it('one copy is the shared one; a plugin is refused only for a range the shared copy does not meet', async () => {
    const only = pluginWithLibrary('plugin-d', '1.4.0');
    const shared = await chooseSharedLibraries([only]);
    assert.deepEqual(
      shared.map((l) => [l.name, l.version, l.copies.length]),
      [['acme-lib', '1.4.0', 1]],
    );
    assert.equal(await sharedLibraryProblem(only, shared), undefined);
    const wantsTwo = { ...only, packageJson: { name: 'plugin-e', dependencies: { 'acme-lib': '^2.0.0' } } } as DiscoveredPlugin;
    assert.match((await sharedLibraryProblem(wantsTwo, shared)) ?? '', /needs acme-lib \^2\.0\.0, but the copy every plugin shares is 1\.4\.0/);
    const wantsNone = { ...only, packageJson: { name: 'plugin-f', dependencies: { other: '^1.0.0' } } } as DiscoveredPlugin;
    assert.equal(await sharedLibraryProblem(wantsNone, shared), undefined);
  });

  it('refuses a copy another user could have written, before anything imports it', async () => {
    const c = pluginWithLibrary('plugin-c', '9.0.0');
    chmodSync(join(c.path, 'node_modules', 'acme-lib'), 0o777);
    await assert.rejects(chooseSharedLibraries([c]), { code: 'E_UNTRUSTED_PATH' });
  });
});
