import type { BakeEvent } from '@aminator/core/host';
import type { Renderer } from './renderer.js';
import { resultSummary } from './result-summary.js';

/** Off a terminal: plain timestamped lines on stderr, the result on stdout. */
export class PlainRenderer implements Renderer {
  constructor(private readonly debug: boolean) {}

  handle(event: BakeEvent): void {
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

  private describe(event: BakeEvent): string | undefined {
    switch (event.type) {
      case 'run-start': return `bake ${event.package} in environment ${event.environment} (run ${event.runId})`;
      case 'step-start': return `step ${event.step} started`;
      case 'step-end': return `step ${event.step} ${event.status} in ${event.durationMs} ms${event.resources.length ? ` [${event.resources.map((r) => `${r.kind} ${r.id}`).join(', ')}]` : ''}`;
      case 'progress': return `step ${event.step}: ${event.message}${event.percent === undefined ? '' : ` (${event.percent}%)`}`;
      case 'log': return event.level === 'debug' && !this.debug ? undefined : `${event.level}${event.step ? ` [${event.step}]` : ''}: ${event.message}`;
      case 'cleanup': return undefined;
      case 'undo': return `cleanup ${event.status}: ${event.description}${event.error ? ` — ${event.error.message}` : ''}`;
      case 'resource': return this.debug ? `resource ${event.action}: ${event.resource.kind} ${event.resource.id}` : undefined;
      case 'result': return `bake ${event.status} in ${event.durationMs} ms`;
    }
  }
}
