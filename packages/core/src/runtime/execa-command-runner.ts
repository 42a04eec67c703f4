// Decorated classes need the Reflect metadata API before tsyringe loads, whichever entry imports them.
import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import { CommandFailedError } from '../errors/command-failed-error.js';
import type { CommandResult, CommandRunner, RunOptions } from '../interfaces/command-runner.js';
import type { Logger } from '../interfaces/logger.js';
import { LOGGER } from '../tokens.js';
import { plainText } from './plain-text.js';
import { redactSecrets } from './redact.js';

const STDERR_TAIL_LINES = 20;
const STDERR_TAIL_CHARS = 4000;
const KILL_GRACE_MS = 5000;
const MAX_BUFFER = 64 * 1024 * 1024;

/** CommandRunner on execa: argument arrays, no shell, timeouts, abort, the stderr tail in errors. */
@injectable()
export class ExecaCommandRunner implements CommandRunner {
  constructor(@inject(LOGGER) private readonly log: Logger) {}

  async run(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    // Loaded on first use: execa costs more start-up time than `aminate --version` may spend.
    const { execa } = await import('execa');
    const secrets = options.secrets ?? [];
    const shown = redactSecrets([file, ...args].join(' '), secrets);
    this.log.debug(`$ ${shown}`);
    const subprocess = execa(file, [...args], {
      reject: false,
      shell: false,
      cwd: options.cwd,
      env: options.env,
      extendEnv: options.extendEnv ?? true,
      input: options.input,
      stdin: options.input === undefined ? 'ignore' : 'pipe',
      timeout: options.timeoutMs,
      cancelSignal: options.signal,
      forceKillAfterDelay: KILL_GRACE_MS,
      maxBuffer: MAX_BUFFER,
      stripFinalNewline: true,
    });
    if (options.onLine) forwardLines(subprocess, options.onLine);
    const result = await subprocess;
    const outcome: CommandResult = {
      file,
      args,
      exitCode: result.exitCode ?? -1,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      durationMs: Math.round(result.durationMs),
    };
    const ok =
      !result.failed || (result.exitCode !== undefined && (options.okExitCodes ?? [0]).includes(result.exitCode) && !result.timedOut && !result.isCanceled);
    if (ok) return outcome;
    throw new CommandFailedError(
      {
        file,
        args: args.map((a) => redactSecrets(a, secrets)),
        exitCode: result.exitCode,
        signal: result.signal,
        timedOut: result.timedOut,
        aborted: result.isCanceled,
        stderrTail: redactSecrets(tail(outcome.stderr || result.shortMessage || ''), secrets),
        durationMs: outcome.durationMs,
      },
      spawnSuggestions(file, result.code),
    );
  }
}

function forwardLines(
  subprocess: { stdout: NodeJS.ReadableStream | null; stderr: NodeJS.ReadableStream | null },
  onLine: NonNullable<RunOptions['onLine']>,
): void {
  for (const [stream, name] of [
    [subprocess.stdout, 'stdout'],
    [subprocess.stderr, 'stderr'],
  ] as const) {
    let partial = '';
    stream?.on('data', (chunk: Buffer | string) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(plainText(line), name);
    });
    stream?.on('end', () => {
      if (partial) onLine(plainText(partial), name);
    });
  }
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
