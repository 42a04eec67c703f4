import type { ErrorSummary } from '../interfaces/run-events.js';
import { redactSecrets } from '../runtime/redact.js';
import { isAminatorError } from './aminator-error.js';
import { ErrorCodes } from './error-codes.js';
import { InterruptedError } from './interrupted-error.js';
import { StepFailedError } from './step-failed-error.js';

/** Code, message, step and suggestions of any thrown value, secrets hidden. */
export function summarizeError(error: unknown): ErrorSummary {
  const step = error instanceof StepFailedError || error instanceof InterruptedError ? error.step : undefined;
  if (isAminatorError(error)) {
    return { code: error.code, message: redactSecrets(error.message), step, suggestions: error.suggestions, retryable: error.retryable === true };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: ErrorCodes.INTERNAL,
    retryable: false,
    message: redactSecrets(message),
    suggestions: ['This is a bug in aminate or a plugin: run again with --debug and report the output.'],
  };
}

/** Messages of the cause chain not already part of the top message. */
function causeLines(error: unknown): string[] {
  const lines: string[] = [];
  let seen = error instanceof Error ? error.message : '';
  let cause = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    const text = cause instanceof Error ? cause.message : String(cause);
    if (!seen.includes(text)) lines.push(text);
    seen += text;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return lines;
}

/** Said under a retryable error: the exit status schedulers act on, and what it means. */
export const RETRYABLE_HINT = 'retryable: a later try may pass (exit 75, EX_TEMPFAIL)';

/**
 * The one place an error becomes text for a person:
 * `error E_CODE: message`, the causes, then `→ suggestion` lines; the stack only with `debug`.
 */
export function formatError(error: unknown, options: { debug?: boolean } = {}): string {
  const summary = summarizeError(error);
  const lines = [`error ${summary.code}: ${summary.message}`];
  for (const cause of causeLines(error)) lines.push(`  caused by: ${redactSecrets(cause)}`);
  for (const suggestion of summary.suggestions) lines.push(`  → ${suggestion}`);
  if (summary.retryable) lines.push(`  → ${RETRYABLE_HINT}`);
  if (options.debug && error instanceof Error && error.stack) lines.push(redactSecrets(error.stack));
  return lines.join('\n');
}
