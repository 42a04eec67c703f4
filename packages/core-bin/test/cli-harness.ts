import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const packageDir = join(here, '..', '..');
export const binPath = join(packageDir, 'bin', 'aminate.js');
export const fixtures = join(packageDir, 'test', 'fixtures');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** Send this signal once stdout or stderr contains `when`. */
  readonly signalOn?: { readonly when: string; readonly signal: NodeJS.Signals };
}

/** Run the built `aminate` in a child process, as a user would. */
export function aminate(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: options.cwd ?? fixtures, env: { ...process.env, CI: 'true', AMINATOR_CONFIG: '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const watch = (): void => {
      if (!options.signalOn || signalled || !(stdout + stderr).includes(options.signalOn.when)) return;
      signalled = true;
      child.kill(options.signalOn.signal);
    };
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); watch(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); watch(); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A temp directory with a config for the testkit fakes: journal, work root and lock dir inside it. */
export class FakeProject {
  readonly dir = mkdtempSync(join(tmpdir(), 'aminate-cli-test-'));
  readonly journal = join(this.dir, 'journal.jsonl');
  readonly configFile = join(this.dir, 'aminator.config.json');

  constructor(fakeConfig: Record<string, Record<string, unknown>> = {}, extra: Record<string, unknown> = {}) {
    const kinds = ['cloud', 'blockdevice', 'volume', 'os', 'provisioner', 'finalizer'];
    const config: Record<string, unknown> = {
      environment: 'fake',
      environments: { fake: Object.fromEntries(kinds.map((k) => [k, 'fake'])) },
      pluginPaths: [join(fixtures, 'fake-env', 'plugins')],
      workRoot: join(this.dir, 'work'),
      lockDir: join(this.dir, 'locks'),
      ...extra,
    };
    for (const kind of kinds) config[kind] = { fake: { journalFile: this.journal, ...(fakeConfig[kind] ?? {}) } };
    writeFileSync(this.configFile, JSON.stringify(config, null, 2));
    writeFileSync(join(this.dir, 'package.json'), '{}');
  }

  /** Resources acquired and not released, from the fakes' journal. */
  live(): string[] {
    if (!existsSync(this.journal)) return [];
    const held = new Set<string>();
    for (const line of readFileSync(this.journal, 'utf8').trim().split('\n').filter(Boolean)) {
      const entry = JSON.parse(line) as { action: string; kind: string; id: string };
      const key = `${entry.kind}:${entry.id}`;
      if (entry.action === 'acquire') held.add(key);
      else held.delete(key);
    }
    return [...held];
  }

  journalLines(): number {
    return existsSync(this.journal) ? readFileSync(this.journal, 'utf8').trim().split('\n').filter(Boolean).length : 0;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function jsonLines(stdout: string): Array<Record<string, any>> {
  return stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);
}

/** FakeProjects made by a test file, all removed after it (call once per `describe`). */
export function fakeProjects(after: (fn: () => void) => void): (...args: ConstructorParameters<typeof FakeProject>) => FakeProject {
  const made: FakeProject[] = [];
  after(() => { for (const p of made) p.remove(); });
  return (...args) => {
    const p = new FakeProject(...args);
    made.push(p);
    return p;
  };
}
