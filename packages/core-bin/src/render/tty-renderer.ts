import type { RunEvent } from '@aminator/core/host';
import type { Renderer } from './renderer.js';
import { resultSummary } from './result-summary.js';

type StepState = {
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'interrupted';
  started?: number;
  durationMs?: number;
  note?: string;
  output: string[];
};

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MARK: Record<StepState['status'], string> = {
  pending: '·',
  running: '',
  succeeded: '\x1b[32m✔\x1b[0m',
  failed: '\x1b[31m✖\x1b[0m',
  interrupted: '\x1b[33m■\x1b[0m',
};
const REDRAW_MS = 100;
/** Lines of a step's output shown live under it, and kept to show when it fails. */
const LIVE_LINES = 3;
const KEPT_LINES = 15;

/**
 * On a terminal: a live step list with timings on stderr, redrawn in place. What a running step
 * prints (a package manager's output) shows as its last few lines under it and goes away when the
 * step succeeds; when it fails, its last lines stay above the error. Warnings and errors scroll
 * above the list; `--debug` shows every line.
 */
export class TtyRenderer implements Renderer {
  private readonly steps = new Map<string, StepState>();
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly debug: boolean,
    private readonly stream: Pick<NodeJS.WriteStream, 'write'> & { columns?: number } = process.stderr,
    private readonly out: Pick<NodeJS.WriteStream, 'write'> = process.stdout,
  ) {}

  handle(event: RunEvent): void {
    switch (event.type) {
      case 'run-start':
        for (const step of event.steps) this.steps.set(step, { status: 'pending', output: [] });
        this.timer = setInterval(() => this.draw(), REDRAW_MS);
        this.timer.unref();
        break;
      case 'step-start':
        this.steps.set(event.step, { status: 'running', started: Date.now(), output: [] });
        break;
      case 'step-end':
        this.endStep(event.step, event.status, event.durationMs);
        break;
      case 'progress':
        this.noteOn(event.step, event.message);
        break;
      case 'log':
        this.log(event);
        return;
      case 'undo':
        if (event.status !== 'succeeded' || this.debug)
          this.above(`cleanup ${event.status === 'succeeded' ? '✔' : event.status === 'kept' ? 'kept' : '✖'} ${event.description}`);
        break;
      case 'result':
        this.finish(event);
        return;
      default:
        break;
    }
    this.draw();
  }

  notice(message: string): void {
    this.above(message);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private finish(result: Extract<RunEvent, { type: 'result' }>): void {
    this.draw();
    this.close();
    const { out, err } = resultSummary(result);
    if (err.length > 0) this.stream.write(`${err.join('\n')}\n`);
    if (out.length > 0) this.out.write(`${out.join('\n')}\n`);
  }

  private log(event: Extract<RunEvent, { type: 'log' }>): void {
    if (event.level === 'debug' && !this.debug) return;
    const running = event.step === undefined ? undefined : this.steps.get(event.step);
    if (this.debug || event.level !== 'info' || running?.status !== 'running') {
      this.above(
        event.message
          .split('\n')
          .map((line) => `${event.level}: ${line}`)
          .join('\n'),
      );
      return;
    }
    running.output.push(...event.message.split('\n'));
    running.output.splice(0, Math.max(0, running.output.length - KEPT_LINES));
    this.draw();
  }

  private endStep(step: string, status: StepState['status'], durationMs: number): void {
    const output = this.steps.get(step)?.output ?? [];
    this.steps.set(step, { status, durationMs, output: [] });
    if (status !== 'succeeded' && output.length > 0) this.above([`last output of ${step}:`, ...output.map((l) => `  ${l}`)].join('\n'));
  }

  private noteOn(step: string, note: string): void {
    const state = this.steps.get(step);
    if (state) state.note = note;
  }

  private above(line: string): void {
    this.clear();
    this.stream.write(`${line}\n`);
    this.drawn = 0;
    this.draw();
  }

  private clear(): void {
    if (this.drawn > 0) this.stream.write(`\x1b[${this.drawn}A\x1b[0J`);
  }

  private draw(): void {
    this.frame = (this.frame + 1) % SPINNER.length;
    const width = Math.max(...[...this.steps.keys()].map((k) => k.length), 4);
    const columns = Math.max(40, this.stream.columns ?? 80);
    const lines = [...this.steps].flatMap(([name, s]) => {
      const mark = s.status === 'running' ? `\x1b[36m${SPINNER[this.frame]}\x1b[0m` : MARK[s.status];
      const ms = s.durationMs ?? (s.started === undefined ? undefined : Date.now() - s.started);
      const time = ms === undefined ? '' : `${(ms / 1000).toFixed(1)}s`.padStart(7);
      const note = s.status === 'running' && s.note ? `  ${s.note.slice(0, 60)}` : '';
      const live = s.status === 'running' ? s.output.slice(-LIVE_LINES).map((l) => `\x1b[2m      ${l.replace(/\s+$/, '').slice(0, columns - 7)}\x1b[0m`) : [];
      return [`  ${mark} ${name.padEnd(width)} ${time}${note}`, ...live];
    });
    this.clear();
    this.stream.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }
}
