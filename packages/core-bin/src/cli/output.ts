import { formatError, summarizeError } from '@aminator/core/host';

/** Print a whole JSON document (non-bake commands with --json). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: readonly string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

/** The one place errors reach the user: text on stderr, or a JSON error object on stdout. */
export function reportError(error: unknown, options: { json: boolean; debug: boolean }): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ type: 'error', error: summarizeError(error) })}\n`);
    if (options.debug) process.stderr.write(`${formatError(error, { debug: true })}\n`);
    return;
  }
  process.stderr.write(`${formatError(error, { debug: options.debug })}\n`);
}
