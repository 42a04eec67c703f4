import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunEvent } from '@aminator/core/internal';
import { terminalScreen } from '@aminator/testkit';
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
    const renderer = new TtyRenderer(
      false,
      {
        write: (s: string) => {
          err += s;
          return true;
        },
      },
      {
        write: (s: string) => {
          out += s;
          return true;
        },
      },
    );
    const base = { time: new Date().toISOString(), runId: 'r' };
    const events: RunEvent[] = [
      { ...base, type: 'run-start', kind: 'bake', environment: 'e', package: 'hello', steps: ['plan', 'provision'], plugins: {} },
      { ...base, type: 'step-start', step: 'plan' },
      { ...base, type: 'step-end', step: 'plan', status: 'succeeded', durationMs: 1200, resources: [] },
      { ...base, type: 'step-start', step: 'provision' },
      { ...base, type: 'log', level: 'warn', message: 'slow mirror' },
      { ...base, type: 'undo', description: 'unmount /x', status: 'succeeded', durationMs: 1 },
      { ...base, type: 'step-end', step: 'provision', status: 'failed', durationMs: 300, resources: [] },
      {
        ...base,
        type: 'result',
        kind: 'bake',
        exitCode: 1,
        status: 'failed',
        durationMs: 1500,
        steps: [],
        error: { code: 'E_X', message: 'boom', step: 'provision', suggestions: ['try again'] },
      },
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

  const base = { time: new Date().toISOString(), runId: 'r' };
  const install = (status: 'succeeded' | 'failed'): RunEvent[] => [
    { ...base, type: 'run-start', kind: 'bake', environment: 'e', package: 'figlet', steps: ['plan', 'provision', 'cleanup'], plugins: {} },
    { ...base, type: 'step-start', step: 'plan' },
    { ...base, type: 'step-end', step: 'plan', status: 'succeeded', durationMs: 100, resources: [] },
    { ...base, type: 'step-start', step: 'provision' },
    ...['Reading package lists...', 'Unpacking figlet (2.2.5-3) ...', 'Setting up figlet (2.2.5-3) ...\nProcessing triggers for man-db'].map(
      (message): RunEvent => ({ ...base, type: 'log', level: 'info', step: 'provision', message }),
    ),
    { ...base, type: 'step-end', step: 'provision', status, durationMs: 2000, resources: [] },
    ...(status === 'succeeded'
      ? ([
          { ...base, type: 'step-start', step: 'cleanup' },
          { ...base, type: 'step-end', step: 'cleanup', status: 'succeeded', durationMs: 10, resources: [] },
        ] as RunEvent[])
      : []),
    status === 'succeeded'
      ? {
          ...base,
          type: 'result',
          kind: 'bake',
          exitCode: 0,
          status,
          durationMs: 2200,
          steps: [],
          image: { id: 'img-1', name: 'figlet-img', cloud: 'local', region: '/s', tags: {} },
          package: { name: 'figlet', version: '2.2.5', release: '3', arch: 'amd64' },
        }
      : {
          ...base,
          type: 'result',
          kind: 'bake',
          exitCode: 1,
          status,
          durationMs: 2200,
          steps: [],
          error: { code: 'E_X', message: 'dpkg failed', step: 'provision', suggestions: [] },
          log: '/w/logs/r.log',
        },
  ];
  const render = (events: RunEvent[], debug = false): { screen: string[]; live: string[] } => {
    let text = '';
    const live: string[] = [];
    const renderer = new TtyRenderer(
      debug,
      {
        write: (s: string) => {
          text += s;
          return true;
        },
        columns: 80,
      },
      {
        write: (s: string) => {
          text += s;
          return true;
        },
      },
    );
    for (const event of events) {
      renderer.handle(event);
      if (event.type === 'log') live.push(terminalScreen(text).join('\n'));
    }
    renderer.close();
    return { screen: terminalScreen(text), live };
  };

  it("shows a running step's output live under it, and after success only the step list and the result", () => {
    const { screen, live } = render(install('succeeded'));
    assert.match(
      live.at(-1) ?? '',
      /provision .*\n {6}Unpacking figlet \(2\.2\.5-3\) \.\.\.\n {6}Setting up figlet \(2\.2\.5-3\) \.\.\.\n {6}Processing triggers for man-db\n {2}· cleanup$/,
    );
    assert.deepEqual(
      screen.map((l) => l.replace(/ +\d+\.\ds$/, ' T')),
      ['  ✔ plan T', '  ✔ provision T', '  ✔ cleanup T', 'baked figlet-img (img-1) in 2.2s with figlet 2.2.5-3 amd64'],
    );
  });

  it("after a failure keeps the step's last output above the error and says where the full log is", () => {
    const { screen } = render(install('failed'));
    assert.deepEqual(
      screen.map((l) => l.replace(/ +\d+\.\ds$/, ' T')),
      [
        'last output of provision:',
        '  Reading package lists...',
        '  Unpacking figlet (2.2.5-3) ...',
        '  Setting up figlet (2.2.5-3) ...',
        '  Processing triggers for man-db',
        '  ✔ plan T',
        '  ✖ provision T',
        '  · cleanup',
        'error E_X (step provision): dpkg failed',
        'everything the bake acquired was cleaned up',
        'full log: /w/logs/r.log',
      ],
    );
  });

  it('with --debug prints every line above the list', () => {
    const { screen } = render(install('succeeded'), true);
    assert.ok(screen.includes('info: Reading package lists...'));
    assert.ok(screen.includes('info: Processing triggers for man-db'), 'every line of a multi-line message has the prefix');
  });
});
