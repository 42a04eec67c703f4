import { TimeoutError } from '../errors/timeout-error.js';
import { sleep } from './sleep.js';

export interface PollOptions {
  readonly what: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly suggestions?: readonly string[];
  /** Wait this long before the first check (0, the default: check at once). */
  readonly initialDelayMs?: number;
  /** Delay before the next check; it grows by `factor` up to `maxDelayMs`. */
  readonly firstDelayMs?: number;
  readonly factor?: number;
  readonly maxDelayMs?: number;
  /** For the first `forMs` of the wait the delay stays at most `maxDelayMs`: a quick change is seen quickly. */
  readonly early?: { readonly forMs: number; readonly maxDelayMs: number };
}

/**
 * The one poller: check until `check` returns a value (undefined: keep waiting; a throw gives up),
 * with a delay that starts short and backs off, abortable at every wait, `E_TIMEOUT` at the bound.
 * Each caller states its schedule (a loop device shows up in milliseconds, an EC2 snapshot in minutes).
 */
export async function pollUntil<T>(check: () => Promise<T | undefined> | T | undefined, options: PollOptions): Promise<T> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const remaining = (): number => Math.max(0, deadline - Date.now());
  if (options.initialDelayMs) await sleep(Math.min(options.initialDelayMs, remaining()), options.signal);
  let delay = options.firstDelayMs ?? 50;
  for (;;) {
    if (options.signal.aborted) throw options.signal.reason;
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new TimeoutError(options.what, options.timeoutMs, options.suggestions);
    const cap =
      options.early && Date.now() - started < options.early.forMs
        ? Math.min(options.early.maxDelayMs, options.maxDelayMs ?? 1_000)
        : (options.maxDelayMs ?? 1_000);
    await sleep(Math.min(delay, cap, remaining()), options.signal);
    delay = Math.min(delay * (options.factor ?? 2), options.maxDelayMs ?? 1_000);
  }
}
