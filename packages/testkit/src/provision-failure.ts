import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StepContext } from '@aminator/core/internal';
import { createTestStepContext } from './test-step-context.js';

export interface ExpectedFailure {
  readonly code: string;
  readonly retryable: boolean;
  /** The message must show the cause (the package manager's own lines). */
  readonly says: RegExp;
}

/**
 * Run one provisioning on a fresh step context and expect one failure class: its code, its exit
 * status (75 when retryable, else 1), `retryable`, the lines that show it — and nothing of the run
 * left: its cleanup unwinds without error and no staged package is left in the image's /tmp.
 */
export async function expectProvisionFailure(root: string, provision: (ctx: StepContext) => Promise<unknown>, expected: ExpectedFailure): Promise<void> {
  const { ctx, stack } = createTestStepContext({ runId: `fail-${expected.code.toLowerCase()}` });
  try {
    await assert.rejects(provision(ctx), (error: { code: string; message: string; retryable: boolean; exitCode: number }) => {
      assert.equal(error.code, expected.code, error.message);
      assert.equal(error.retryable, expected.retryable);
      assert.equal(error.exitCode, expected.retryable ? 75 : 1);
      assert.match(error.message, expected.says);
      return true;
    });
  } finally {
    assert.deepEqual((await stack.unwind({ reason: 'failure' })).errors, []);
  }
  assert.deepEqual(
    readdirSync(join(root, 'tmp')).filter((f) => f.startsWith('aminator-')),
    [],
    'nothing staged is left',
  );
}
