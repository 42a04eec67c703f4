/** Options of one external command. */
export interface RunOptions {
  readonly cwd?: string;
  /** Added to (or, with `extendEnv: false`, replacing) the process environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly extendEnv?: boolean;
  readonly input?: string;
  /** Kill the command after this long (SIGTERM, then SIGKILL). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Exit codes that are not failures; default `[0]`. */
  readonly okExitCodes?: readonly number[];
  /** Values to hide in logs and errors (tokens passed as arguments, for instance). */
  readonly secrets?: readonly string[];
  /** Receives output line by line while the command runs (apt's progress, say). */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface CommandResult {
  readonly file: string;
  readonly args: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/**
 * Every external command goes through this: a file and an argument array, never a shell string.
 * A non-ok exit, a timeout or an abort raises CommandFailedError with the stderr tail.
 */
export interface CommandRunner {
  run(file: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
}
