import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CleanupStack, ErrorCodes } from '../src/internal.js';

function recorder(): {
  order: string[];
  entry: (name: string, options?: { fail?: boolean; when?: 'always' | 'on-failure'; evenWhenPreserving?: boolean }) => Parameters<CleanupStack['push']>[0];
} {
  const order: string[] = [];
  return {
    order,
    entry: (name, options = {}) => ({
      description: name,
      when: options.when,
      evenWhenPreserving: options.evenWhenPreserving,
      manual: [['rm', name]],
      undo: async () => {
        order.push(name);
        if (options.fail) throw new Error(`${name} broke`);
      },
    }),
  };
}

describe('CleanupStack', () => {
  it('undoes in reverse order of acquisition', async () => {
    const { order, entry } = recorder();
    const stack = new CleanupStack();
    for (const name of ['a', 'b', 'c']) stack.push(entry(name));
    const report = await stack.unwind({ reason: 'failure' });
    assert.deepEqual(order, ['c', 'b', 'a']);
    assert.deepEqual(report.errors, []);
    assert.equal(stack.size, 0);
  });

  it('attempts every undo when earlier ones fail and reports each failure', async () => {
    const { order, entry } = recorder();
    const stack = new CleanupStack();
    stack.push(entry('a'));
    stack.push(entry('b', { fail: true }));
    stack.push(entry('c', { fail: true }));
    const report = await stack.unwind({ reason: 'failure' });
    assert.deepEqual(order, ['c', 'b', 'a']);
    assert.deepEqual(
      report.errors.map((e) => e.code),
      [ErrorCodes.CLEANUP_FAILED, ErrorCodes.CLEANUP_FAILED],
    );
    assert.match(report.errors[0]?.message ?? '', /cleanup "c" failed: c broke/);
    assert.deepEqual(report.errors[0]?.suggestions, ['run: rm c']);
  });

  it('unwinds only down to a mark', async () => {
    const { order, entry } = recorder();
    const stack = new CleanupStack();
    stack.push(entry('volume'));
    const mark = stack.mark();
    stack.push(entry('mount'));
    stack.push(entry('bind'));
    await stack.unwind({ reason: 'teardown', downTo: mark });
    assert.deepEqual(order, ['bind', 'mount']);
    assert.equal(stack.size, 1);
  });

  it('keeps on-failure entries on success and runs them on failure', async () => {
    const { order, entry } = recorder();
    const stack = new CleanupStack();
    stack.push(entry('volume'));
    stack.push(entry('image', { when: 'on-failure' }));
    await stack.unwind({ reason: 'success' });
    assert.deepEqual(order, ['volume']);
    const failing = new CleanupStack();
    failing.push(entry('volume2'));
    failing.push(entry('image2', { when: 'on-failure' }));
    await failing.unwind({ reason: 'failure' });
    assert.deepEqual(order, ['volume', 'image2', 'volume2']);
  });

  it('with preserve keeps resources on failure and says how to remove them, but still runs evenWhenPreserving entries', async () => {
    const { order, entry } = recorder();
    const stack = new CleanupStack();
    stack.push(entry('volume'));
    stack.push(entry('tempfile', { evenWhenPreserving: true }));
    const report = await stack.unwind({ reason: 'failure', preserve: true });
    assert.deepEqual(order, ['tempfile']);
    assert.deepEqual(
      report.kept.map((k) => [k.description, k.manual]),
      [['volume', [['rm', 'volume']]]],
    );
  });

  it('preserve does not apply to a successful bake', async () => {
    const { order, entry } = recorder();
    const stack = new CleanupStack();
    stack.push(entry('volume'));
    await stack.unwind({ reason: 'success', preserve: true });
    assert.deepEqual(order, ['volume']);
  });

  it('unwinds entries pushed while it is unwinding (a step that finished late)', async () => {
    const order: string[] = [];
    const stack = new CleanupStack();
    stack.push({
      description: 'first',
      undo: async () => {
        order.push('first');
      },
    });
    stack.push({
      description: 'pusher',
      undo: async () => {
        order.push('pusher');
        stack.push({
          description: 'late',
          undo: async () => {
            order.push('late');
          },
        });
      },
    });
    await stack.unwind({ reason: 'interrupted' });
    assert.deepEqual(order, ['pusher', 'late', 'first']);
  });
});
