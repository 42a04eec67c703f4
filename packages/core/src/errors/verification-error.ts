import type { VerificationCheck } from '../interfaces/verifier.js';
import { AminatorError } from './aminator-error.js';
import { ErrorCodes } from './error-codes.js';

/**
 * The image was made but does not work: a verifier's checks failed. The message names each failed
 * check; `evidence` is where the verifier kept what it saw (a serial log).
 */
export class VerificationError extends AminatorError {
  constructor(
    readonly checks: readonly VerificationCheck[],
    readonly evidence?: string,
    excerpt?: string,
  ) {
    const failed = checks.filter((c) => !c.ok).map((c) => `${c.name}${c.detail ? ` (${c.detail})` : ''}`);
    super(`the image failed verification: ${failed.join('; ')}${excerpt ? `\n${excerpt}` : ''}`, {
      code: ErrorCodes.VERIFY_FAILED,
      suggestions: [
        ...(evidence ? [`the whole boot log: ${evidence}`] : []),
        'the image was removed; bake again with --keep-unverified to keep it and look inside',
      ],
    });
  }
}
