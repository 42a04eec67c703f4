import { redactSecrets, type Logger } from '@aminator/core/host';

/** Logger of plugin commands: lines on stderr, debug only with --debug, secrets hidden. */
export class StderrLogger implements Logger {
  constructor(private readonly showDebug: boolean) {}

  debug(message: string): void { if (this.showDebug) this.write('debug', message); }
  info(message: string): void { this.write('info', message); }
  warn(message: string): void { this.write('warn', message); }
  error(message: string): void { this.write('error', message); }

  private write(level: string, message: string): void {
    process.stderr.write(`${level === 'info' ? '' : `${level}: `}${redactSecrets(message)}\n`);
  }
}
