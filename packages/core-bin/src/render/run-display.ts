import { EventBus, RunLogFile } from '@aminator/core/internal';
import { chooseRenderer } from './choose-renderer.js';
import type { Renderer } from './renderer.js';

/**
 * A run's events as the CLI shows them, the same for a bake, `verify`, `boot` and a plugin command's
 * steps: the renderer the flags and the terminal call for, and the full log a failed run keeps.
 */
export class RunDisplay {
  readonly events = new EventBus();
  readonly renderer: Renderer;

  constructor(options: { json: boolean; debug: boolean; plain?: boolean }) {
    const renderer = chooseRenderer(options);
    this.renderer = renderer;
    this.events.subscribe((event) => renderer.handle(event));
  }

  /** Write every event to `path`; the result names the file when the run failed. */
  keepLog(path: string): void {
    const log = new RunLogFile(path, (message) => this.renderer.notice(message));
    this.events.subscribe((event) => log.handle(event));
  }

  close(): void {
    this.renderer.close();
  }
}
