import { eventLine, type RunEvent } from '@aminator/core/host';
import type { Renderer } from './renderer.js';
import { resultSummary } from './result-summary.js';

/** Off a terminal: plain timestamped lines on stderr, the result on stdout. */
export class PlainRenderer implements Renderer {
  private failing = false;

  constructor(private readonly debug: boolean) {}

  handle(event: RunEvent): void {
    const line = this.describe(event);
    if (line) process.stderr.write(`${event.time} ${line}\n`);
    if (event.type === 'result') {
      const { out, err } = resultSummary(event);
      if (err.length > 0) process.stderr.write(`${err.join('\n')}\n`);
      if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
    }
  }

  notice(message: string): void {
    process.stderr.write(`${new Date().toISOString()} ${message}\n`);
  }

  close(): void {}

  /**
   * Debug logs and resource events only with --debug; undo lines only with --debug, when one fails,
   * or once the run is failing — a successful bake's unmounts and lock releases are noise.
   */
  private describe(event: RunEvent): string | undefined {
    if (event.type === 'step-end' && event.status !== 'succeeded') this.failing = true;
    if (!this.debug) {
      if (event.type === 'resource' || (event.type === 'log' && event.level === 'debug')) return undefined;
      if (event.type === 'undo' && event.status === 'succeeded' && !this.failing) return undefined;
    }
    return eventLine(event);
  }
}
