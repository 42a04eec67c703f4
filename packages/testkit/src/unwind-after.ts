import assert from 'node:assert/strict';
import type { TestStepContext } from './test-step-context.js';

/**
 * Run `body`, then unwind what it pushed on the harness's stack and run `release` (test fixtures),
 * whatever happened. A failed undo fails the test — but never hides the body's own failure, as an
 * assertion in a `finally` would.
 */
export async function unwindAfter(harness: TestStepContext, body: () => Promise<void>, release?: () => void): Promise<void> {
  let failure: { error: unknown } | undefined;
  try {
    await body();
  } catch (error) {
    failure = { error };
  }
  let report: Awaited<ReturnType<TestStepContext['stack']['unwind']>>;
  try {
    report = await harness.stack.unwind({ reason: 'failure' });
  } finally {
    release?.();
  }
  if (failure) throw failure.error;
  assert.deepEqual(
    report.errors.map((e) => e.message),
    [],
    'every undo succeeded',
  );
}
