import { formatError, type Logger, redactSecrets } from '@aminator/core/host';

/** Logger of plugin commands: lines on stderr, debug only with --debug, secrets hidden. */
export class StderrLogger implements Logger {
  constructor(private readonly showDebug: boolean) {}

  debug(message: string): void {
    if (this.showDebug) this.write('debug', message);
  }
  info(message: string): void {
    this.write('info', message);
  }
  warn(message: string): void {
    this.write('warn', message);
  }
  error(message: string): void {
    this.write('error', message);
  }
  /** An error as `aminate` prints every error: `error CODE: message` and its suggestions, no second prefix. */
  failure(error: unknown): void {
    process.stderr.write(`${formatError(error, { debug: this.showDebug })}\n`);
  }

  private write(level: string, message: string): void {
    process.stderr.write(`${level === 'info' ? '' : `${level}: `}${redactSecrets(message)}\n`);
  }
}
