import { sleep, TimeoutError } from '@aminator/core';

export interface WaitOptions {
  readonly what: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** First check after this long (a state never changes within a few ms of the request). */
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly suggestions?: readonly string[];
  /** Called with each observed state, e.g. for progress lines. */
  readonly onState?: (state: string) => void;
}

export const WAIT_FIRST_DELAY_MS = 250;
export const WAIT_MAX_DELAY_MS = 2_000;
/** For the first 10 s of a wait the interval stays at most 1 s, so a change in that time is seen within a second. */
const EARLY_MS = 10_000;
const EARLY_MAX_DELAY_MS = 1_000;

/**
 * Poll `check` until it returns a value: first after ~250 ms (fast transitions are seen at once),
 * backing off by half again each time to 1 s for the first 10 s (a change is seen within a second)
 * and then to at most 2 s (long waits — snapshots of large volumes — make half the calls of 1 s
 * polling). `check` returns undefined to keep waiting and throws to give up.
 */
export async function waitFor<T>(check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let delay = options.firstDelayMs ?? WAIT_FIRST_DELAY_MS;
  for (;;) {
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())), options.signal);
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new TimeoutError(options.what, options.timeoutMs, options.suggestions);
    const cap =
      Date.now() - started < EARLY_MS ? Math.min(EARLY_MAX_DELAY_MS, options.maxDelayMs ?? WAIT_MAX_DELAY_MS) : (options.maxDelayMs ?? WAIT_MAX_DELAY_MS);
    delay = Math.min(delay * 1.5, cap);
  }
}
