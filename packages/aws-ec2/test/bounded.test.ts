import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forEachBounded } from '../src/index.js';

describe('forEachBounded', () => {
  it('requests that leave several abort listeners each (SDK retries on a slow service) raise no MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`);
    };
    process.on('warning', onWarning);
    try {
      const outer = new AbortController();
      let running = 0;
      let most = 0;
      // As the SDK does: one listener per attempt, three attempts, dropped only after the item ends.
      await forEachBounded(
        Array.from({ length: 64 }, (_, i) => i),
        16,
        outer.signal,
        async (_item, signal) => {
          running++;
          most = Math.max(most, running);
          for (let attempt = 0; attempt < 3; attempt++) signal.addEventListener('abort', () => undefined);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
        },
      );
      assert.equal(most, 16, 'sixteen at a time');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('an abort reaches the items running, and no new item starts', async () => {
    const outer = new AbortController();
    const started: number[] = [];
    const aborted: number[] = [];
    await assert.rejects(
      forEachBounded([1, 2, 3, 4, 5, 6], 2, outer.signal, async (item, signal) => {
        started.push(item);
        if (item === 2) outer.abort(new Error('stop'));
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        if (signal.aborted) aborted.push(item);
      }),
      /stop/,
    );
    assert.deepEqual(started, [1, 2]);
    assert.deepEqual(aborted.sort(), [1, 2]);
  });
});
