import { EXIT_FAILED, EXIT_RETRY, type ExitCode } from './exit-codes.js';

export interface AminatorErrorOptions {
  /** Stable code from ErrorCodes, or a plugin's own `E_…` code. */
  readonly code: string;
  readonly exitCode?: ExitCode;
  /** What the user can do about it, one action a line. */
  readonly suggestions?: readonly string[];
  readonly cause?: unknown;
  /**
   * Trying the same run again later may pass (a mirror that timed out, throttling, a lock another
   * process held): exit 75 unless `exitCode` says otherwise, and `retryable: true` in the error event.
   */
  readonly retryable?: boolean;
}

/** Every error `aminate` reports: a code, an exit code, the cause and what to do. */
export class AminatorError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly suggestions: readonly string[];
  readonly retryable: boolean;

  constructor(message: string, options: AminatorErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.exitCode = options.exitCode ?? (this.retryable ? EXIT_RETRY : EXIT_FAILED);
    this.suggestions = options.suggestions ?? [];
  }
}

export function isAminatorError(error: unknown): error is AminatorError {
  return (
    error instanceof AminatorError ||
    (error instanceof Error &&
      typeof (error as { code?: unknown }).code === 'string' &&
      typeof (error as { exitCode?: unknown }).exitCode === 'number' &&
      Array.isArray((error as { suggestions?: unknown }).suggestions))
  );
}
