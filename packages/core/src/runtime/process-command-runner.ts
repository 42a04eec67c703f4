// Decorated classes need the Reflect metadata API before tsyringe loads, whichever entry imports them.
import { type ChildProcess, spawn } from 'node:child_process';
import { inject, injectable } from '../di/dependency-injection.js';
import { CommandFailedError } from '../errors/command-failed-error.js';
import type { CommandResult, CommandRunner, RunOptions } from '../interfaces/command-runner.js';
import type { Logger } from '../interfaces/logger.js';
import { LOGGER } from '../tokens.js';
import { plainText } from './plain-text.js';
import { redactSecrets } from './redact.js';

const STDERR_TAIL_LINES = 20;
const STDERR_TAIL_CHARS = 4000;
const KILL_GRACE_MS = 5000;
const MAX_OUTPUT_CHARS = 64 * 1024 * 1024;

/** How a command ended, before it is judged against the ok exit codes. */
interface Ending {
  exitCode?: number;
  signal?: string;
  /** errno code when the program could not be started (ENOENT, EACCES). */
  spawnCode?: string;
  timedOut: boolean;
  aborted: boolean;
  overflowed: boolean;
}

/** Children still running when the process exits are stopped, not left to outlive aminate. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGTERM');
    });
  }
  running.add(child);
  child.once('close', () => running.delete(child));
}

/**
 * CommandRunner on node:child_process: argument arrays, never a shell, timeouts, abort (SIGTERM, SIGKILL
 * after a grace), bounded output, the stderr tail in errors.
 */
@injectable()
export class ProcessCommandRunner implements CommandRunner {
  constructor(@inject(LOGGER) private readonly log: Logger) {}

  async run(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const secrets = options.secrets ?? [];
    this.log.debug(`$ ${redactSecrets([file, ...args].join(' '), secrets)}`);
    const started = performance.now();
    const { stdout, stderr, ending } = await runProcess(file, args, options);
    const durationMs = Math.round(performance.now() - started);
    const outcome: CommandResult = {
      file,
      args,
      exitCode: ending.exitCode ?? -1,
      stdout: stripFinalNewline(stdout),
      stderr: stripFinalNewline(stderr),
      durationMs,
    };
    const ok =
      ending.exitCode !== undefined && !ending.timedOut && !ending.aborted && !ending.overflowed && (options.okExitCodes ?? [0]).includes(ending.exitCode);
    if (ok) return outcome;
    throw new CommandFailedError(
      {
        file,
        args: args.map((a) => redactSecrets(a, secrets)),
        exitCode: ending.exitCode,
        signal: ending.signal,
        timedOut: ending.timedOut,
        aborted: ending.aborted,
        stderrTail: redactSecrets(tail(outcome.stderr || shortMessage(file, ending)), secrets),
        durationMs,
      },
      spawnSuggestions(file, ending.spawnCode),
    );
  }
}

function runProcess(file: string, args: readonly string[], options: RunOptions): Promise<{ stdout: string; stderr: string; ending: Ending }> {
  return new Promise((resolve) => {
    const ending: Ending = { timedOut: false, aborted: false, overflowed: false };
    const output = { stdout: '', stderr: '' };
    if (options.signal?.aborted) {
      ending.aborted = true;
      resolve({ ...output, ending });
      return;
    }
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      env: options.extendEnv === false ? { ...options.env } : { ...process.env, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      shell: false,
    });
    track(child);
    let graceTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      graceTimer ??= setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const timeoutTimer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            ending.timedOut = true;
            stop();
          }, options.timeoutMs);
    const onAbort = (): void => {
      ending.aborted = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    for (const name of ['stdout', 'stderr'] as const) {
      const stream = child[name];
      if (!stream) continue;
      stream.setEncoding('utf8');
      let partial = '';
      stream.on('data', (chunk: string) => {
        if (output[name].length + chunk.length > MAX_OUTPUT_CHARS) {
          ending.overflowed = true;
          stop();
          return;
        }
        output[name] += chunk;
        if (!options.onLine) return;
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) options.onLine(plainText(line), name);
      });
      stream.on('end', () => {
        if (partial && options.onLine) options.onLine(plainText(partial), name);
      });
    }
    if (child.stdin) {
      // A command that exits without reading its input must not fail the run with EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }

    child.once('error', (error: NodeJS.ErrnoException) => {
      // Only spawn errors arrive here ('close' follows for a started process).
      if (child.pid === undefined) ending.spawnCode = error.code;
    });
    child.once('close', (code, signal) => {
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (code !== null && ending.spawnCode === undefined) ending.exitCode = code;
      if (signal !== null) ending.signal = signal;
      resolve({ ...output, ending });
    });
  });
}

function shortMessage(file: string, ending: Ending): string {
  if (ending.spawnCode) return `${file}: could not start (${ending.spawnCode})`;
  if (ending.overflowed) return `output over ${MAX_OUTPUT_CHARS} characters: stopped`;
  return '';
}

function stripFinalNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

function tail(text: string): string {
  const lines = plainText(text).trimEnd().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
  return lines.length > STDERR_TAIL_CHARS ? lines.slice(-STDERR_TAIL_CHARS) : lines;
}

function spawnSuggestions(file: string, code: string | undefined): string[] {
  if (code === 'ENOENT') return [`\`${file}\` is not installed or not on PATH: install the package that provides it`];
  if (code === 'EACCES') return [`\`${file}\` is not executable by this user`];
  return [];
}
