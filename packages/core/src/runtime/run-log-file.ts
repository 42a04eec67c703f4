import { closeSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_USAGE } from '../errors/exit-codes.js';
import type { ResultEvent, RunEvent } from '../interfaces/run-events.js';
import { isRunId } from '../reclaim/run-id.js';
import { eventLine } from './event-line.js';
import { createExclusiveSync } from './own-files.js';
import { assertPrivateDirectory } from './private-directory.js';

/** Below the work root: `<workRoot>/logs/<runId>.log`. */
export const RUN_LOGS_DIR = 'logs';
/** Failed runs' logs kept; older ones are removed when a run fails. */
export const KEPT_RUN_LOGS = 20;

export function runLogPath(workRoot: string, runId: string): string {
  return join(workRoot, RUN_LOGS_DIR, `${runId}.log`);
}

/** Whether a run has a log file yet: once it got past `plan`, i.e. began to acquire something. */
export function hasRunLog(stepsStarted: readonly string[]): boolean {
  return stepsStarted.some((step) => step !== 'plan');
}

/**
 * Whether a run's log is kept: it failed or was interrupted after it began to acquire something,
 * and not for bad input (exit 2: the error on the terminal is the whole story, and bad input must
 * leave nothing behind). The pipeline names the log in the result by this rule; RunLogFile keeps it.
 */
export function keepsRunLog(result: Pick<ResultEvent, 'status' | 'exitCode' | 'steps'>): boolean {
  return (result.status === 'failed' || result.status === 'interrupted') && result.exitCode !== EXIT_USAGE && hasRunLog(result.steps.map((s) => s.name));
}

/**
 * Every event of one run as a line of text, debug included, in a file only this user can read:
 * opened once the run gets past plan (what came before is written then), kept when the run fails or
 * is interrupted (the result names it), removed when it succeeds. Writes are synchronous so a crash
 * loses nothing already said. A log that cannot be written is reported once and never fails the run.
 */
export class RunLogFile {
  private fd: number | undefined;
  private broken = false;
  private readonly early: string[] = [];
  private readonly started: string[] = [];

  constructor(
    readonly path: string,
    private readonly warn: (message: string) => void,
  ) {}

  handle(event: RunEvent): void {
    if (this.broken) return;
    if (event.type === 'step-start') this.started.push(event.step);
    const line = eventLine(event);
    try {
      if (this.fd === undefined && hasRunLog(this.started)) {
        this.fd = this.open();
        for (const earlier of this.early.splice(0)) writeSync(this.fd, earlier);
      }
      const text = line ? `${event.time} ${line}\n` : '';
      if (this.fd === undefined) this.early.push(text);
      else if (text) writeSync(this.fd, text);
    } catch (error) {
      this.broken = true;
      this.warn(`warning: cannot write the run log ${this.path}: ${(error as Error).message}`);
      return;
    }
    if (event.type === 'result') this.finish(keepsRunLog(event));
  }

  private open(): number {
    const dir = join(this.path, '..');
    mkdirSync(join(dir, '..'), { recursive: true, mode: 0o700 });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    assertPrivateDirectory(dir, 'run log directory');
    return createExclusiveSync(this.path, 0o600);
  }

  /** Synchronous: the CLI may exit as soon as the result is out. */
  private finish(keep: boolean): void {
    const opened = this.fd !== undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.broken = true;
    if (!opened) return;
    const dir = join(this.path, '..');
    if (!keep) {
      rmSync(this.path, { force: true });
      try {
        rmdirSync(dir); // only when no other run's log is there
      } catch {
        // another run's log keeps the directory
      }
      return;
    }
    const logs = readdirSync(dir)
      .filter((f) => f.endsWith('.log') && isRunId(f.slice(0, -'.log'.length)))
      .map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const { f } of logs.slice(KEPT_RUN_LOGS)) rmSync(join(dir, f), { force: true });
  }
}
