import { AminatorError, isAminatorError } from './aminator-error.js';
import { ErrorCodes } from './error-codes.js';

/**
 * A bake step that failed. Keeps the cause's code and suggestions so the user sees, e.g.,
 * `E_COMMAND_FAILED` with the step named, rather than a generic wrapper.
 */
export class StepFailedError extends AminatorError {
  readonly step: string;

  constructor(step: string, cause: unknown) {
    const inner = isAminatorError(cause) ? cause : undefined;
    const message = cause instanceof Error ? cause.message : String(cause);
    super(`step ${step} failed: ${message}`, {
      code: inner?.code ?? ErrorCodes.STEP_FAILED,
      exitCode: inner?.exitCode ?? 1,
      suggestions: inner?.suggestions ?? [],
      retryable: inner?.retryable === true,
      cause,
    });
    this.step = step;
  }
}
