import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freeTcpPort } from '@aminator/testkit';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const run = promisify(execFile);

export interface NpmResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Workspace {
  readonly dir: string;
  readonly name: string;
  readonly pkg: Record<string, any>;
}

/** Every package a release publishes: the workspaces that are not private. */
export function publicPackages(): Workspace[] {
  return ['packages', 'examples']
    .flatMap((top) => readdirSync(join(repo, top)).map((name) => join(repo, top, name)))
    .flatMap((dir) => {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, any>;
        return pkg.private ? [] : [{ dir, name: pkg.name as string, pkg }];
      } catch {
        return [];
      }
    });
}

/** The scopes a release publishes. */
const SCOPES = ['@aminator', '@acme'];

/**
 * A Verdaccio registry on 127.0.0.1 with its own storage, serving our scopes only: they are
 * published to it and installed from nowhere else; other packages come from the registry npm is
 * configured with on this host. One user, whose token is in the npmrc every npm call here uses; the
 * host's own npm config is never touched.
 */
export class LocalRegistry {
  readonly dir = mkdtempSync(join(tmpdir(), 'aminator-e2e-registry-'));
  readonly npmrc = join(this.dir, 'npmrc');
  url = '';
  private server: ChildProcess | undefined;

  async start(): Promise<void> {
    // The registry this host's npm is configured with (asked outside the workspace, which npm config refuses).
    const upstream = spawnSync('npm', ['config', 'get', 'registry'], { cwd: this.dir, encoding: 'utf8', env: npmEnv() }).stdout.trim();
    assert.match(upstream, /^https?:\/\//, 'npm config get registry names the upstream registry');
    const port = await freeTcpPort();
    this.url = `http://127.0.0.1:${port}/`;
    const config = join(this.dir, 'config.yaml');
    writeFileSync(
      config,
      [
        `storage: ${join(this.dir, 'storage')}`,
        'packages:',
        ...SCOPES.flatMap((scope) => [`  '${scope}/*':`, '    access: $all', '    publish: $authenticated']),
        'auth:',
        '  htpasswd:',
        `    file: ${join(this.dir, 'htpasswd')}`,
        '    max_users: 1',
        'log: { type: stdout, format: pretty, level: error }',
        '',
      ].join('\n'),
    );
    const bin = join(repo, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
    this.server = spawn(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    this.server.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const deadline = Date.now() + 60_000;
    while (!(await ping(`${this.url}-/ping`))) {
      if (Date.now() > deadline || this.server.exitCode !== null) assert.fail(`Verdaccio did not start on ${this.url}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const response = await fetch(`${this.url}-/user/org.couchdb.user:e2e`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'e2e', password: `e2e-${port}-${process.pid}` }),
    });
    const { token } = (await response.json()) as { token?: string };
    assert.ok(token, `no token from ${this.url}`);
    const host = this.url.replace(/^http:/, '');
    // Our scopes come from this registry only; every other package from the host's registry, through
    // npm's cache (a release's users get those from their own registry too).
    const scopes = SCOPES.map((scope) => `${scope}:registry=${this.url}`).join('\n');
    writeFileSync(
      this.npmrc,
      `registry=${upstream}\n${scopes}\n${host}:_authToken=${token}\nprefer-offline=true\nfund=false\naudit=false\nupdate-notifier=false\n`,
      {
        mode: 0o600,
      },
    );
  }

  /** npm with this registry only (and the host's npm cache, which only speeds up tarballs it verifies). */
  async npm(args: readonly string[], cwd = this.dir): Promise<NpmResult> {
    try {
      const { stdout, stderr } = await run('npm', ['--userconfig', this.npmrc, ...args], {
        cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: npmEnv(),
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  /** As a release publishes (prepack builds each package), several at a time. */
  async publish(packages: readonly Workspace[] = publicPackages()): Promise<void> {
    for (let i = 0; i < packages.length; i += 4) {
      const published = await Promise.all(packages.slice(i, i + 4).map((p) => this.npm(['publish'], p.dir)));
      for (const [j, result] of published.entries()) assert.equal(result.code, 0, `${packages[i + j]?.name}: ${result.stderr}`);
    }
  }

  stop(): void {
    this.server?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The environment without npm_* variables of the npm that runs the tests (its prefix, its registry). */
export function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
}

async function ping(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}
