import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sh } from './sh.js';

/** A TCP listener inside the namespace that records every connection made to it. */
export interface Listener {
  readonly address: string;
  readonly port: number;
}

/**
 * A network namespace of the test's own: a loopback and nothing else, with extra addresses on that
 * loopback (169.254.169.254 for a fake instance metadata service). What runs in it (`prefix`) sees
 * these as its host's; no packet ever leaves the namespace.
 */
export class NetNamespace {
  readonly name = `aminator-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly servers: ChildProcess[] = [];

  constructor(addresses: readonly string[] = []) {
    sh('ip', ['netns', 'add', this.name]);
    try {
      sh('ip', ['-n', this.name, 'link', 'set', 'lo', 'up']);
      for (const address of addresses) sh('ip', ['-n', this.name, 'addr', 'add', `${address}/32`, 'dev', 'lo']);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Run a command in the namespace: put this before it (`runCli`'s prefix). */
  get prefix(): readonly string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  /**
   * HTTP listeners in the namespace that answer 200 and count connections. `connections()` says how
   * many each got, so a test can prove nothing reached them.
   */
  async listen(listeners: readonly Listener[]): Promise<{ connections(): Promise<Record<string, number>> }> {
    const script = `
      const http = require('node:http');
      const counts = {};
      const listeners = ${JSON.stringify(listeners)};
      let ready = 0;
      for (const { address, port } of listeners) {
        const key = address + ':' + port;
        counts[key] = 0;
        const server = http.createServer((req, res) => res.end('secret'));
        server.on('connection', () => { counts[key] += 1; });
        server.listen(port, address, () => { if (++ready === listeners.length) console.log('ready'); });
      }
      process.stdin.on('data', () => console.log(JSON.stringify(counts)));
      process.stdin.on('end', () => process.exit(0));
    `;
    const child = spawn('ip', [...this.prefix.slice(1), process.execPath, '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.servers.push(child);
    const lines: string[] = [];
    const waiters: Array<() => void> = [];
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      for (const wake of waiters.splice(0)) wake();
    });
    const nextLine = async (): Promise<string> => {
      while (lines.length === 0) {
        if (child.exitCode !== null) throw new Error('the listener in the namespace exited');
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return lines.shift() as string;
    };
    if ((await nextLine()) !== 'ready') throw new Error('the listener in the namespace did not start');
    return {
      connections: async () => {
        child.stdin?.write('\n');
        return JSON.parse(await nextLine()) as Record<string, number>;
      },
    };
  }

  /** Stop the listeners and delete the namespace; safe to call twice. */
  close(): void {
    for (const server of this.servers.splice(0)) server.kill('SIGKILL');
    try {
      sh('ip', ['netns', 'delete', this.name]);
    } catch {
      // already gone
    }
  }
}
