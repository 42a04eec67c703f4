import { AminatorError } from './aminator-error.js';
import { ErrorCodes } from './error-codes.js';

/** A wait that did not see the state it waited for in time. */
export class TimeoutError extends AminatorError {
  constructor(what: string, timeoutMs: number, suggestions: readonly string[] = []) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`, { code: ErrorCodes.TIMEOUT, suggestions });
  }
}
