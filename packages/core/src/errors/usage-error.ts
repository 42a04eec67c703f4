import { AminatorError } from './aminator-error.js';
import { ErrorCodes } from './error-codes.js';
import { EXIT_USAGE } from './exit-codes.js';

/** Bad flags, arguments or input values: exit 2, nothing was changed. */
export class UsageError extends AminatorError {
  constructor(message: string, options: { code?: string; suggestions?: readonly string[]; cause?: unknown } = {}) {
    super(message, { code: options.code ?? ErrorCodes.USAGE, exitCode: EXIT_USAGE, suggestions: options.suggestions, cause: options.cause });
  }
}

/** A user-supplied value (package spec, name, size, path, tag) that is refused. */
export class InvalidInputError extends UsageError {
  readonly field: string;

  constructor(field: string, message: string, suggestions: readonly string[] = []) {
    super(`${field}: ${message}`, { code: ErrorCodes.INVALID_INPUT, suggestions });
    this.field = field;
  }
}
