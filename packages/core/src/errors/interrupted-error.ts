import { AminatorError } from './aminator-error.js';
import { ErrorCodes } from './error-codes.js';
import { EXIT_INTERRUPTED } from './exit-codes.js';

/** The bake was stopped by a signal; cleanup ran. Exit 130. */
export class InterruptedError extends AminatorError {
  readonly signal: string;
  /** The step that was running, when the signal came during one. */
  readonly step?: string;

  constructor(signal: string, step?: string) {
    super(`interrupted by ${signal}${step ? ` during ${step}` : ''}`, { code: ErrorCodes.INTERRUPTED, exitCode: EXIT_INTERRUPTED });
    this.signal = signal;
    this.step = step;
  }
}
