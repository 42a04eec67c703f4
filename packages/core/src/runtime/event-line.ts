import type { RunEvent } from '../interfaces/run-events.js';

/**
 * One event as a line of text (without the time): what the plain renderer prints and what the run
 * log holds. `undefined` for events that say nothing to a reader (the cleanup stack's bookkeeping).
 */
export function eventLine(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'run-start':
      if (event.kind === 'command') return `${event.command ?? 'command'} ${event.image ?? ''} (run ${event.runId})`;
      return `${event.kind} ${event.kind === 'bake' ? event.package : (event.image ?? '')} in environment ${event.environment} (run ${event.runId})`;
    case 'step-start':
      return `step ${event.step} started`;
    case 'step-end':
      return `step ${event.step} ${event.status} in ${event.durationMs} ms${event.resources.length ? ` [${event.resources.map((r) => `${r.kind} ${r.id}`).join(', ')}]` : ''}`;
    case 'progress':
      return `step ${event.step}: ${event.message}${event.percent === undefined ? '' : ` (${event.percent}%)`}`;
    case 'log':
      return event.message
        .split('\n')
        .map((line) => `${event.level}${event.step ? ` [${event.step}]` : ''}: ${line}`)
        .join('\n');
    case 'cleanup':
      return undefined;
    case 'undo':
      return `cleanup ${event.status}: ${event.description}${event.error ? ` — ${event.error.message}` : ''}`;
    case 'resource':
      return `resource ${event.action}: ${event.resource.kind} ${event.resource.id}`;
    case 'result':
      return `${event.kind === 'command' ? (event.command ?? 'command') : event.kind} ${event.status} in ${event.durationMs} ms${event.error ? `: ${event.error.code} ${event.error.message}` : ''}`;
  }
}
