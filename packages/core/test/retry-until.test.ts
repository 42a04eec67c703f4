import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryUntil } from '../src/internal.js';

describe('retryUntil', () => {
  const failing = (failures: number, error = (n: number) => new Error(`busy ${n}`)) => {
    let calls = 0;
    return {
      attempt: async (): Promise<string> => {
        calls++;
        if (calls <= failures) throw error(calls);
        return `done after ${calls}`;
      },
      calls: () => calls,
    };
  };

  it('tries again what is retryable, and returns the first success', async () => {
    const op = failing(2);
    assert.equal(await retryUntil(op.attempt, { retryable: () => true, firstDelayMs: 1 }), 'done after 3');
  });

  it('throws at once what is not retryable, and the last failure when the tries run out', async () => {
    const op = failing(5);
    await assert.rejects(retryUntil(op.attempt, { retryable: (e) => (e as Error).message !== 'busy 2', firstDelayMs: 1 }), /busy 2/);
    assert.equal(op.calls(), 2);
    const bounded = failing(5);
    await assert.rejects(retryUntil(bounded.attempt, { retryable: () => true, tries: 3, firstDelayMs: 1 }), /busy 3/);
    assert.equal(bounded.calls(), 3);
  });

  it('stops at the time bound with the real failure, not a timeout', async () => {
    const op = failing(1_000);
    const started = Date.now();
    await assert.rejects(retryUntil(op.attempt, { retryable: () => true, withinMs: 150, firstDelayMs: 20, factor: 1 }), /busy \d+/);
    assert.ok(Date.now() - started < 1_000);
    assert.ok(op.calls() >= 3 && op.calls() <= 12, `${op.calls()} tries in 150 ms, 20 ms apart`);
  });

  it('an abort ends the wait between tries', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('stop')), 30);
    await assert.rejects(retryUntil(failing(1_000).attempt, { retryable: () => true, firstDelayMs: 10_000, signal: abort.signal }), /stop/);
  });
});
