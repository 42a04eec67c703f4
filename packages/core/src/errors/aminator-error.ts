import { EXIT_FAILED, type ExitCode } from './exit-codes.js';

export interface AminatorErrorOptions {
  /** Stable code from ErrorCodes, or a plugin's own `E_…` code. */
  readonly code: string;
  readonly exitCode?: ExitCode;
  /** What the user can do about it, one action a line. */
  readonly suggestions?: readonly string[];
  readonly cause?: unknown;
}

/** Every error `aminate` reports: a code, an exit code, the cause and what to do. */
export class AminatorError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly suggestions: readonly string[];

  constructor(message: string, options: AminatorErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.exitCode = options.exitCode ?? EXIT_FAILED;
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
