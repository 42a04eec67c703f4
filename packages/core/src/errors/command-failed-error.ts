import { AminatorError } from './aminator-error.js';
import { ErrorCodes } from './error-codes.js';

export interface CommandFailure {
  readonly file: string;
  readonly args: readonly string[];
  readonly exitCode?: number;
  readonly signal?: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** The last lines of standard error (secrets already hidden). */
  readonly stderrTail: string;
  readonly durationMs: number;
}

/** An external command that exited badly, timed out or was killed. */
export class CommandFailedError extends AminatorError {
  readonly failure: CommandFailure;

  constructor(failure: CommandFailure, suggestions: readonly string[] = []) {
    super(describe(failure), { code: failure.timedOut ? ErrorCodes.COMMAND_TIMEOUT : ErrorCodes.COMMAND_FAILED, suggestions });
    this.failure = failure;
  }
}

function describe(f: CommandFailure): string {
  const command = [f.file, ...f.args].join(' ');
  const how = f.timedOut
    ? `timed out after ${f.durationMs} ms`
    : f.aborted
      ? 'was stopped (bake interrupted)'
      : f.signal
        ? `was killed by ${f.signal}`
        : `exited with code ${f.exitCode}`;
  const tail = f.stderrTail.trim();
  return `command \`${command}\` ${how}${tail ? `:\n${indent(tail)}` : ''}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
