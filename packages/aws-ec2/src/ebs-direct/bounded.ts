import { setMaxListeners } from 'node:events';

/**
 * Run `work` on every item, at most `limit` at a time. On the first failure or an abort no new item
 * starts, the ones running finish (a request in flight is never cut off: its outcome must be known),
 * and then the failure (or the abort's reason) is thrown. `work` gets a signal of its own that follows
 * `signal`: `limit` requests listening on it are expected, not a leak (Node warns past 10 listeners).
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  work: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const scoped = new AbortController();
  setMaxListeners(limit + 8, scoped.signal);
  const relay = (): void => scoped.abort(signal.reason);
  if (signal.aborted) relay();
  else signal.addEventListener('abort', relay, { once: true });
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && !signal.aborted && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item, scoped.signal);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  } finally {
    signal.removeEventListener('abort', relay);
  }
  if (failure) throw failure.error;
  if (signal.aborted) throw signal.reason;
}
