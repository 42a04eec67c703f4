import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BakeEvent } from '@aminator/core';
import { abortOnSignals } from '../src/cli/signals.js';
import { TtyRenderer } from '../src/render/tty-renderer.js';

describe('abortOnSignals', () => {
  it('aborts on the first signal and only reassures on later ones', () => {
    const controller = new AbortController();
    const said: string[] = [];
    const remove = abortOnSignals(controller, (m) => said.push(m));
    try {
      process.emit('SIGTERM', 'SIGTERM');
      assert.equal(controller.signal.aborted, true);
      assert.equal((controller.signal.reason as { code: string }).code, 'E_INTERRUPTED');
      process.emit('SIGINT', 'SIGINT');
      assert.equal(said.length, 2);
      assert.match(said[1] ?? '', /cleanup is in progress/);
    } finally {
      remove();
    }
    assert.equal(process.listenerCount('SIGINT'), 0);
  });
});

describe('TtyRenderer', () => {
  it('draws the step list with marks and timings, redrawing in place, and the result on stdout', () => {
    let err = '';
    let out = '';
    const renderer = new TtyRenderer(false, { write: (s: string) => { err += s; return true; } }, { write: (s: string) => { out += s; return true; } });
    const base = { time: new Date().toISOString(), runId: 'r' };
    const events: BakeEvent[] = [
      { ...base, type: 'run-start', environment: 'e', package: 'hello', steps: ['plan', 'provision'], plugins: {} },
      { ...base, type: 'step-start', step: 'plan' },
      { ...base, type: 'step-end', step: 'plan', status: 'succeeded', durationMs: 1200, resources: [] },
      { ...base, type: 'step-start', step: 'provision' },
      { ...base, type: 'log', level: 'warn', message: 'slow mirror' },
      { ...base, type: 'undo', description: 'unmount /x', status: 'succeeded', durationMs: 1 },
      { ...base, type: 'step-end', step: 'provision', status: 'failed', durationMs: 300, resources: [] },
      { ...base, type: 'result', status: 'failed', durationMs: 1500, steps: [], error: { code: 'E_X', message: 'boom', step: 'provision', suggestions: ['try again'] } },
    ];
    for (const event of events) renderer.handle(event);
    renderer.close();
    assert.match(err, /✔\u001b\[0m plan\s+1\.2s/);
    assert.match(err, /✖\u001b\[0m provision\s+0\.3s/);
    assert.match(err, /\u001b\[2A\u001b\[0J/, 'redraws over the previous list');
    assert.match(err, /warn: slow mirror/);
    assert.doesNotMatch(err, /unmount \/x/, 'successful undo lines only with --debug');
    assert.match(err, /error E_X \(step provision\): boom\n {2}→ try again\neverything the bake acquired was cleaned up/);
    assert.equal(out, '');
  });
});
