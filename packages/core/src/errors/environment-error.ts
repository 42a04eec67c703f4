import { AminatorError } from './aminator-error.js';
import { ErrorCodes } from './error-codes.js';
import { EXIT_USAGE } from './exit-codes.js';

/** An unknown environment name: exit 2. */
export class EnvironmentError extends AminatorError {
  constructor(message: string, suggestions: readonly string[]) {
    super(message, { code: ErrorCodes.ENVIRONMENT_UNKNOWN, exitCode: EXIT_USAGE, suggestions });
  }
}
