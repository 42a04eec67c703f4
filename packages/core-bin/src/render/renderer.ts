import type { RunEvent } from '@aminator/core/host';

/** Shows a run's events to a person or a program. */
export interface Renderer {
  handle(event: RunEvent): void;
  /** A message outside the event stream (signal notices). */
  notice(message: string): void;
  close(): void;
}
