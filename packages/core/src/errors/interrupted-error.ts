import { AminatorError } from './aminator-error.js';
import { ErrorCodes } from './error-codes.js';
import { EXIT_INTERRUPTED } from './exit-codes.js';

/** The bake was stopped by a signal; cleanup ran. Exit 130. */
export class InterruptedError extends AminatorError {
  readonly signal: string;

  constructor(signal: string) {
    super(`interrupted by ${signal}`, { code: ErrorCodes.INTERRUPTED, exitCode: EXIT_INTERRUPTED });
    this.signal = signal;
  }
}
