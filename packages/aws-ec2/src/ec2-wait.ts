import { pollUntil } from '@aminator/core';

export interface WaitOptions {
  readonly what: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** First check after this long (a state never changes within a few ms of the request). */
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly suggestions?: readonly string[];
}

export const WAIT_FIRST_DELAY_MS = 250;
export const WAIT_MAX_DELAY_MS = 2_000;

/**
 * EC2's schedule on core's poller: first check after ~250 ms (fast transitions are seen at once),
 * backing off by half again each time, at most 1 s apart for the first 10 s (a change is seen within
 * a second) and then at most 2 s (long waits — snapshots of large volumes — make half the calls of
 * 1 s polling). `check` returns undefined to keep waiting and throws to give up.
 */
export function waitFor<T>(check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const first = options.firstDelayMs ?? WAIT_FIRST_DELAY_MS;
  return pollUntil(check, {
    what: options.what,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    suggestions: options.suggestions,
    initialDelayMs: first,
    firstDelayMs: first * 1.5,
    factor: 1.5,
    maxDelayMs: options.maxDelayMs ?? WAIT_MAX_DELAY_MS,
    early: { forMs: 10_000, maxDelayMs: 1_000 },
  });
}
