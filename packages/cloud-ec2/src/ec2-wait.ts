import { TimeoutError } from '@aminator/core';

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

/**
 * Poll `check` until it returns a value: first after ~250 ms, then backing off by half again each
 * time to at most 2 s, so a state change is seen within about a second early on and the API is not
 * hammered on long waits. `check` returns undefined to keep waiting and throws to give up.
 */
export async function waitFor<T>(check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = options.firstDelayMs ?? WAIT_FIRST_DELAY_MS;
  for (;;) {
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())), options.signal);
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new TimeoutError(options.what, options.timeoutMs, options.suggestions);
    delay = Math.min(delay * 1.5, options.maxDelayMs ?? WAIT_MAX_DELAY_MS);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(signal.reason); return; }
    const onAbort = (): void => { clearTimeout(timer); reject(signal.reason); };
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
