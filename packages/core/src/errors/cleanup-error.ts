import { AminatorError } from './aminator-error.js';
import { ErrorCodes } from './error-codes.js';

/** One undo that failed; what it left behind is named so a person can remove it. */
export class CleanupError extends AminatorError {
  readonly description: string;

  constructor(description: string, cause: unknown, suggestions: readonly string[]) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`cleanup "${description}" failed: ${reason}`, { code: ErrorCodes.CLEANUP_FAILED, suggestions, cause });
    this.description = description;
  }
}
