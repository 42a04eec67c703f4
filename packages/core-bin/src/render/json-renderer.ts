import type { RunEvent } from '@aminator/core/host';
import type { Renderer } from './renderer.js';

/** `--json`: one JSON object per line on stdout; the last is the `result`. */
export class JsonRenderer implements Renderer {
  constructor(private readonly debug: boolean) {}

  handle(event: RunEvent): void {
    if (event.type === 'log' && event.level === 'debug' && !this.debug) return;
    process.stdout.write(`${JSON.stringify(event)}\n`);
  }

  notice(message: string): void {
    process.stderr.write(`${message}\n`);
  }

  close(): void {}
}
