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

/** Format a table of string columns with two spaces between them. */
export function table(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
