import { sleep, TimeoutError } from '@aminator/core';

export { sleep };

export interface PollOptions {
  readonly what: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Delay before the second check; doubles up to `maxDelayMs`. */
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly suggestions?: readonly string[];
}

/**
 * Check at once, then again after a short delay that grows to `maxDelayMs` (default 1 s), so a wait
 * notices the state change within about a second without hammering. Returns the first defined result.
 */
export async function pollUntil<T>(check: () => Promise<T | undefined> | T | undefined, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = options.firstDelayMs ?? 50;
  for (;;) {
    if (options.signal.aborted) throw options.signal.reason;
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new TimeoutError(options.what, options.timeoutMs, options.suggestions);
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())), options.signal);
    delay = Math.min(delay * 2, options.maxDelayMs ?? 1000);
  }
}
