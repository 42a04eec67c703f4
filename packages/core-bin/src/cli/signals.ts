import { InterruptedError } from '@aminator/core/host';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Turn the first SIGINT/SIGTERM/SIGHUP into an abort of the bake (which then cleans up); later
 * signals only say that cleanup is running — abandoning it would leak what the bake holds.
 * Returns a function that removes the handlers.
 */
export function abortOnSignals(controller: AbortController, say: (message: string) => void, options: { what?: string } = {}): () => void {
  const what = options.what ?? 'the bake';
  const handler = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      say(`${signal} received: stopping ${what} and cleaning up what it acquired…`);
      controller.abort(new InterruptedError(signal));
      return;
    }
    say(`${signal} received again: cleanup is in progress and will finish; wait for it (kill -9 would leave resources behind for \`aminate cleanup\`)`);
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of SIGNALS) process.off(signal, handler);
  };
}
