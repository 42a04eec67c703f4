import type { Logger, LogLevel } from '../interfaces/logger.js';
import type { EventSink } from '../interfaces/run-events.js';
import { redactSecrets } from './redact.js';

/** A Logger that turns messages into `log` events of a run, with secrets hidden. */
export class EventLogger implements Logger {
  constructor(
    private readonly sink: EventSink,
    private readonly runId: string,
    private readonly step?: string,
  ) {}

  /** The same logger, tagging messages with a step. */
  forStep(step: string): EventLogger {
    return new EventLogger(this.sink, this.runId, step);
  }

  debug(message: string): void {
    this.log('debug', message);
  }
  info(message: string): void {
    this.log('info', message);
  }
  warn(message: string): void {
    this.log('warn', message);
  }
  error(message: string): void {
    this.log('error', message);
  }

  private log(level: LogLevel, message: string): void {
    this.sink.emit({ type: 'log', time: new Date().toISOString(), runId: this.runId, level, message: redactSecrets(message), step: this.step });
  }
}
