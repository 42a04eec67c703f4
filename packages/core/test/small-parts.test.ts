import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AminatorError,
  ErrorCodes,
  EXIT_RETRY,
  formatError,
  newestFirst,
  parseFailpoints,
  redactSecrets,
  StepFailedError,
  summarizeError,
  UsageError,
} from '../src/internal.js';

describe('newestFirst', () => {
  it('orders ISO timestamps newest first, equal ones as equal', () => {
    const times = ['2026-01-02T00:00:00.000Z', '2026-12-06T08:00:00.000Z', '2025-12-31T23:59:59.999Z', '2026-12-06T08:00:00.000Z'];
    assert.deepEqual([...times].sort(newestFirst), [
      '2026-12-06T08:00:00.000Z',
      '2026-12-06T08:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
      '2025-12-31T23:59:59.999Z',
    ]);
    assert.equal(newestFirst('2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'), 0);
  });
});

describe('redactSecrets', () => {
  it('hides secret environment values, access key ids and signed URL parts', () => {
    const env = { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG', AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEJr', HOME: '/root' };
    const text =
      'key AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG token FwoGZXIvYXdzEJr https://x?X-Amz-Security-Token=abc&X-Amz-Signature=def home /root';
    const out = redactSecrets(text, [], env);
    for (const secret of ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG', 'FwoGZXIvYXdzEJr', 'abc', 'def']) assert.ok(!out.includes(secret), out);
    assert.ok(out.includes('/root'));
  });
});

describe('failpoints', () => {
  it('parses step:action pairs and refuses unknown steps or actions', () => {
    assert.deepEqual(parseFailpoints('attach-volume:error, provision:sigterm'), [
      { step: 'attach-volume', action: 'error' },
      { step: 'provision', action: 'sigterm' },
    ]);
    assert.deepEqual(parseFailpoints(undefined), []);
    assert.throws(() => parseFailpoints('attach:error'), UsageError);
    assert.throws(() => parseFailpoints('provision:explode'), UsageError);
  });
});

describe('errors', () => {
  it('formats code, message, causes and suggestions; the stack only in debug', () => {
    const inner = new Error('disk full');
    const error = new AminatorError('cannot copy', { code: 'E_X', suggestions: ['free some space'], cause: inner });
    const text = formatError(error);
    assert.equal(text, 'error E_X: cannot copy\n  caused by: disk full\n  → free some space');
    assert.ok(formatError(error, { debug: true }).includes('at '));
  });

  it("keeps the code and exit code of a step failure's cause and names the step", () => {
    const failed = new StepFailedError('provision', new UsageError('bad spec'));
    assert.equal(failed.code, ErrorCodes.USAGE);
    assert.equal(failed.exitCode, 2);
    assert.equal(summarizeError(failed).step, 'provision');
  });

  it('calls unknown errors internal and asks for a report', () => {
    const summary = summarizeError(new TypeError('x is undefined'));
    assert.equal(summary.code, ErrorCodes.INTERNAL);
    assert.match(summary.suggestions[0] ?? '', /--debug/);
  });
});

describe('retryable failures', () => {
  it('exit 75 and say so, through a failed step, in the summary and in the text', () => {
    const mirror = new AminatorError('the mirror timed out', { code: 'E_REPOSITORY_UNREACHABLE', retryable: true });
    assert.equal(mirror.exitCode, EXIT_RETRY);
    assert.equal(EXIT_RETRY, 75);
    const step = new StepFailedError('provision', mirror);
    assert.equal(step.exitCode, 75);
    assert.equal(summarizeError(step).retryable, true);
    assert.match(formatError(step), /→ retryable: a later try may pass \(exit 75, EX_TEMPFAIL\)/);
    const typo = new StepFailedError('provision', new AminatorError('no such package', { code: 'E_PACKAGE_NOT_FOUND' }));
    assert.deepEqual([typo.exitCode, summarizeError(typo).retryable], [1, false]);
    assert.doesNotMatch(formatError(typo), /retryable/);
    assert.equal(summarizeError(new Error('bug')).retryable, false);
  });
});
