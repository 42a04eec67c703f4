import { spawn } from 'node:child_process';

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** A command that runs node for it, e.g. `['ip', 'netns', 'exec', NAME]` to run it in a network namespace. */
  readonly prefix?: readonly string[];
  /** Send this signal once stdout or stderr contains `when` (after `delayMs`). */
  readonly signalOn?: { readonly when: string | RegExp; readonly signal: NodeJS.Signals; readonly delayMs?: number };
}

/** Run a Node CLI (`bin`, a .js file) in a child process, as a user would, with CI=true. */
export function runCli(bin: string, args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [file, ...before] = [...(options.prefix ?? []), process.execPath];
    const child = spawn(file as string, [...before, bin, ...args], {
      cwd: options.cwd,
      env: { ...process.env, CI: 'true', AMINATOR_CONFIG: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const watch = (): void => {
      const trigger = options.signalOn;
      const text = stdout + stderr;
      if (!trigger || signalled || !(typeof trigger.when === 'string' ? text.includes(trigger.when) : trigger.when.test(text))) return;
      signalled = true;
      setTimeout(() => child.kill(trigger.signal), trigger.delayMs ?? 0);
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      watch();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      watch();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Parse `--json` bake output: one object per line. */
export function jsonLines(stdout: string): Array<Record<string, any>> {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, any>);
}

export interface TerminalResult {
  readonly code: number | null;
  /** Everything the terminal received (stdout and stderr, escape sequences included). */
  readonly text: string;
}

/**
 * Run a Node CLI on a pseudo-terminal, as a person at a terminal would (script(1) from util-linux),
 * with CI unset so that it renders for a terminal. The arguments are quoted for script's shell.
 */
export function runCliOnTerminal(bin: string, args: readonly string[], options: Omit<CliOptions, 'signalOn' | 'prefix'> = {}): Promise<TerminalResult> {
  const quoted = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['--quiet', '--return', '--command', quoted, '/dev/null'], {
      cwd: options.cwd,
      env: { ...process.env, CI: '', TERM: 'xterm', AMINATOR_CONFIG: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, text }));
  });
}
