import { setMaxListeners } from 'node:events';

/**
 * Run `work` on every item, at most `limit` at a time. On the first failure or an abort no new item
 * starts, the ones running finish (a request in flight is never cut off: its outcome must be known),
 * and then the failure (or the abort's reason) is thrown. Each item's `work` gets a signal of its own
 * that follows `signal`: the SDK adds a listener per attempt and drops it only when the socket closes,
 * so retries against a slow or throttling service pile them up — on the item's signal, which goes
 * with the item, not on one signal shared by every request (Node warns past its listener limit).
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  work: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const scoped = new AbortController();
  // One listener per worker, each item's own.
  setMaxListeners(limit + 8, scoped.signal);
  const relay = (): void => scoped.abort(signal.reason);
  if (signal.aborted) relay();
  else signal.addEventListener('abort', relay, { once: true });
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && !signal.aborted && next < items.length) {
      const item = items[next++] as T;
      const own = new AbortController();
      const follow = (): void => own.abort(scoped.signal.reason);
      scoped.signal.addEventListener('abort', follow, { once: true });
      try {
        await work(item, own.signal);
      } catch (error) {
        failure ??= { error };
      } finally {
        scoped.signal.removeEventListener('abort', follow);
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
