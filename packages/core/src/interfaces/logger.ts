export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Logging for plugins and core. Messages go through the run's event stream, secrets redacted. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
