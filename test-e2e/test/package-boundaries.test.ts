import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Workspace {
  readonly name: string;
  readonly dir: string;
  readonly pkg: Record<string, any>;
  readonly role: 'core' | 'plugin' | 'library' | 'host' | 'testkit' | 'other';
}

/** What each package of the repository is: its role decides which way its imports may go. */
function workspaces(): Workspace[] {
  return ['packages', 'examples'].flatMap((top) =>
    readdirSync(join(repo, top)).flatMap((entry): Workspace[] => {
      const dir = join(repo, top, entry);
      let pkg: Record<string, any>;
      try {
        pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      } catch {
        return [];
      }
      const name = pkg.name as string;
      const role =
        name === '@aminator/core'
          ? 'core'
          : name === '@aminator/core-bin'
            ? 'host'
            : name === '@aminator/testkit'
              ? 'testkit'
              : pkg.keywords?.includes('aminator-plugin')
                ? 'plugin'
                : pkg.keywords?.includes('aminator-library')
                  ? 'library'
                  : 'other';
      return [{ name, dir, pkg, role }];
    }),
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Package names a source file imports (static, dynamic and type imports, re-exports). */
export function importedPackages(source: string): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]((?:@[^/'"]+\/)?[^/'".][^/'"]*)/g)) names.add(match[1] as string);
  return [...names];
}

/** Every place a package's code or manifest reaches another workspace package. */
function edges(ws: Workspace, all: ReadonlyMap<string, Workspace>): Array<{ to: Workspace; where: string }> {
  const found: Array<{ to: Workspace; where: string }> = [];
  for (const field of ['dependencies', 'peerDependencies'] as const) {
    for (const name of Object.keys(ws.pkg[field] ?? {})) {
      const to = all.get(name);
      if (to) found.push({ to, where: `package.json ${field}` });
    }
  }
  for (const file of sourceFiles(join(ws.dir, 'src'))) {
    for (const name of importedPackages(readFileSync(file, 'utf8'))) {
      const to = all.get(name);
      if (to && to !== ws) found.push({ to, where: file.slice(repo.length + 1) });
    }
  }
  return found;
}

describe('which way imports go between packages (docs/ARCHITECTURE.md)', () => {
  const all = new Map(workspaces().map((ws) => [ws.name, ws]));

  it('reads every kind of import a source file can have', () => {
    const source = [
      "import { a } from '@aminator/core';",
      "import type { B } from '@aminator/cloud-local';",
      "export { c } from '@aminator/aws-ec2';",
      "const d = await import('@aminator/finalizer-ebs');",
      "import '@aminator/linux-host';",
      "import { e } from './local.js';",
      "import { f } from 'node:fs';",
      "import g from 'tsyringe/dist';",
    ].join('\n');
    assert.deepEqual(importedPackages(source).sort(), [
      '@aminator/aws-ec2',
      '@aminator/cloud-local',
      '@aminator/core',
      '@aminator/finalizer-ebs',
      '@aminator/linux-host',
      'node:fs',
      'tsyringe',
    ]);
  });

  it('finds the plugins and libraries it judges', () => {
    const roles = (role: Workspace['role']) => [...all.values()].filter((w) => w.role === role).map((w) => w.name);
    assert.ok(roles('plugin').includes('@aminator/cloud-local') && roles('plugin').length >= 12, roles('plugin').join(' '));
    assert.deepEqual(roles('library').sort(), ['@aminator/aws-ec2', '@aminator/linux-host', '@aminator/local-store', '@aminator/sbom']);
    assert.deepEqual(roles('other'), [], 'every package is a plugin, a library (shared, one copy per process), core, the CLI or the testkit');
  });

  it('no plugin imports or depends on another plugin: what two share is a library', () => {
    const crossings = [...all.values()]
      .filter((ws) => ws.role === 'plugin')
      .flatMap((ws) => edges(ws, all).filter((e) => e.to.role === 'plugin' || e.to.role === 'host' || e.to.role === 'testkit'))
      .map((e) => `${e.where} → ${e.to.name}`);
    assert.deepEqual(crossings, []);
  });

  it('core imports no other package of the project; libraries import only core and libraries', () => {
    const crossings = [...all.values()]
      .flatMap((ws) => edges(ws, all).map((e) => ({ from: ws, ...e })))
      .filter(({ from, to }) => (from.role === 'core' ? true : from.role === 'library' && !['core', 'library'].includes(to.role)))
      .map((e) => `${e.where} → ${e.to.name}`);
    assert.deepEqual(crossings, []);
  });
});
