/**
 * Wait for `work`, but once `signal` aborts give it only `graceMs` more to settle (it should notice the
 * signal and stop on its own, registering what it acquired). Rejects with the abort reason when aborted,
 * even if the work finished, so the bake never carries on after an interruption.
 */
export function settleOrAbort<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      timer = setTimeout(() => reject(signal.reason), graceMs);
      timer.unref();
    };
    const done = (): void => {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        done();
        if (signal.aborted) reject(signal.reason);
        else resolve(value);
      },
      (error: unknown) => {
        done();
        reject(signal.aborted ? signal.reason : error);
      },
    );
  });
}
