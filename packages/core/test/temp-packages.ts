import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory tree for discovery and loader tests, removed by `remove()`. */
export class TempTree {
  readonly root = mkdtempSync(join(tmpdir(), 'aminator-core-test-'));

  /** Write a package at `root/<relative>` with its package.json and any other files. */
  pkg(relative: string, packageJson: Record<string, unknown>, files: Record<string, string> = {}): string {
    const dir = join(this.root, relative);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  file(relative: string, text: string): string {
    const path = join(this.root, relative);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function pluginPackage(name: string, kind: string, pluginName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    version: '1.2.3',
    type: 'module',
    main: 'index.js',
    keywords: ['aminator-plugin'],
    aminator: { kind, name: pluginName, apiVersion: 2 },
    ...extra,
  };
}
