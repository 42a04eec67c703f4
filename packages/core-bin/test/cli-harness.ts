import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliOptions, type CliResult, jsonLines, runCli } from '@aminator/testkit';

const here = dirname(fileURLToPath(import.meta.url));
export const packageDir = join(here, '..', '..');
export const binPath = join(packageDir, 'bin', 'aminate.js');
export const fixtures = join(packageDir, 'test', 'fixtures');

/** Run the built `aminate` in a child process, as a user would (from the fixtures directory by default). */
export function aminate(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return runCli(binPath, args, { cwd: fixtures, ...options });
}

/** A temp directory with a config for the testkit fakes: journal, work root and lock dir inside it. */
export class FakeProject {
  readonly dir = mkdtempSync(join(tmpdir(), 'aminate-cli-test-'));
  readonly journalFile = join(this.dir, 'journal.jsonl');
  readonly configFile = join(this.dir, 'aminator.config.json');

  constructor(fakeConfig: Record<string, Record<string, unknown>> = {}, extra: Record<string, unknown> = {}, options: { verifier?: boolean } = {}) {
    const kinds = ['cloud', 'volume', 'os', 'provisioner', 'finalizer', ...(options.verifier ? ['verifier'] : [])];
    const config: Record<string, unknown> = {
      environment: 'fake',
      environments: { fake: Object.fromEntries(kinds.map((k) => [k, 'fake'])) },
      pluginPaths: [join(fixtures, 'fake-env', 'plugins')],
      workRoot: join(this.dir, 'work'),
      lockDir: join(this.dir, 'locks'),
      ...extra,
    };
    for (const kind of kinds) config[kind] = { fake: { journalFile: this.journalFile, ...(fakeConfig[kind] ?? {}) } };
    writeFileSync(this.configFile, JSON.stringify(config, null, 2));
    writeFileSync(join(this.dir, 'package.json'), '{}');
  }

  /** The fakes' journal: every acquire and release, in order. */
  journal(): Array<{ action: string; kind: string; id: string }> {
    if (!existsSync(this.journalFile)) return [];
    return readFileSync(this.journalFile, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { action: string; kind: string; id: string });
  }

  /** Resources acquired and not released, from the fakes' journal. */
  live(): string[] {
    const held = new Set<string>();
    for (const entry of this.journal()) {
      const key = `${entry.kind}:${entry.id}`;
      if (entry.action === 'acquire') held.add(key);
      else held.delete(key);
    }
    return [...held];
  }

  journalLines(): number {
    return this.journal().length;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export { jsonLines };

/** FakeProjects made by a test file, all removed after it (call once per `describe`). */
export function fakeProjects(after: (fn: () => void) => void): (...args: ConstructorParameters<typeof FakeProject>) => FakeProject {
  const made: FakeProject[] = [];
  after(() => {
    for (const p of made) p.remove();
  });
  return (...args) => {
    const p = new FakeProject(...args);
    made.push(p);
    return p;
  };
}
