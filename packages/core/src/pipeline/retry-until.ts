import { sleep } from './sleep.js';

export interface RetryOptions {
  /** Whether a failure is worth another try (it may act first, e.g. remove what blocked it); others are thrown at once. */
  readonly retryable: (error: unknown) => boolean | Promise<boolean>;
  /** Give up once this long has passed since the first try… */
  readonly withinMs?: number;
  /** …or after this many tries, whichever comes first; then the last failure is thrown. */
  readonly tries?: number;
  /** Delay before the second try; it grows by `factor` up to `maxDelayMs`. */
  readonly firstDelayMs?: number;
  readonly factor?: number;
  readonly maxDelayMs?: number;
  /** Stops the waits between tries (cleanup after a signal passes none: it must finish). */
  readonly signal?: AbortSignal;
}

/**
 * The one retry loop, beside `pollUntil` (which waits for a state): run `attempt` until it succeeds,
 * fails in a way that is not `retryable`, or the bound is reached — then its last failure is thrown,
 * so the caller reports what really went wrong, not that time ran out.
 */
export async function retryUntil<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = options.withinMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.withinMs;
  const maxDelay = options.maxDelayMs ?? Number.POSITIVE_INFINITY;
  let delay = options.firstDelayMs ?? 100;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const exhausted = tries >= (options.tries ?? Number.POSITIVE_INFINITY) || Date.now() >= deadline;
      if (exhausted || options.signal?.aborted || !(await options.retryable(error))) throw error;
    }
    await sleep(Math.max(0, Math.min(delay, maxDelay, deadline - Date.now())), options.signal);
    delay *= options.factor ?? 2;
  }
}
