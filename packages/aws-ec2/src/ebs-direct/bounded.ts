/**
 * Run `work` on every item, at most `limit` at a time. On the first failure or an abort no new item
 * starts, the ones running finish (a request in flight is never cut off: its outcome must be known),
 * and then the failure (or the abort's reason) is thrown.
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, signal: AbortSignal, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && !signal.aborted && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  if (signal.aborted) throw signal.reason;
}
