import { AminatorError } from './aminator-error.js';
import { ErrorCodes } from './error-codes.js';

/** A lock directory or file that cannot be used safely. */
export class LockError extends AminatorError {
  constructor(message: string, suggestions: readonly string[] = [], cause?: unknown) {
    super(message, { code: ErrorCodes.LOCK, suggestions, cause });
  }
}
