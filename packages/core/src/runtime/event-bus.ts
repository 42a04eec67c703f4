import type { EventSink, RunEvent } from '../interfaces/run-events.js';

export type EventListener = (event: RunEvent) => void;

/** Fans events out to listeners; a listener that throws never breaks the bake. */
export class EventBus implements EventSink {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: RunEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken renderer or metrics sink must not turn a good bake into a failed one.
      }
    }
  }
}
