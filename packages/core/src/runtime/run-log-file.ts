import { closeSync, constants, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { BakeEvent } from '../interfaces/bake-events.js';
import { eventLine } from './event-line.js';
import { removeFileIfPresent } from './missing-ok.js';
import { assertPrivateDirectory } from './private-directory.js';

/** Below the work root: `<workRoot>/logs/<runId>.log`. */
export const RUN_LOGS_DIR = 'logs';
/** Failed runs' logs kept; older ones are removed when a run fails. */
export const KEPT_RUN_LOGS = 20;

export function runLogPath(workRoot: string, runId: string): string {
  return join(workRoot, RUN_LOGS_DIR, `${runId}.log`);
}

/**
 * Every event of one run as a line of text, debug included, in a file only this user can read: kept
 * when the run fails or is interrupted (the result names it), removed when it succeeds. Writes are
 * synchronous so a crash loses nothing already said. A log that cannot be opened is reported once and
 * never fails the run.
 */
export class RunLogFile {
  private fd: number | undefined;
  private broken = false;

  constructor(
    readonly path: string,
    private readonly warn: (message: string) => void,
  ) {}

  handle(event: BakeEvent): void {
    if (this.broken) return;
    try {
      this.fd ??= this.open();
      const line = eventLine(event);
      if (line) writeSync(this.fd, `${event.time} ${line}\n`);
      if (event.type === 'log' && event.level === 'error' && event.message.includes('\n')) writeSync(this.fd, '\n');
    } catch (error) {
      this.broken = true;
      this.warn(`warning: cannot write the run log ${this.path}: ${(error as Error).message}`);
      return;
    }
    if (event.type === 'result') void this.finish(event.status === 'failed' || event.status === 'interrupted');
  }

  private open(): number {
    const dir = join(this.path, '..');
    mkdirSync(join(dir, '..'), { recursive: true, mode: 0o700 });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    assertPrivateDirectory(dir, 'run log directory');
    return openSync(this.path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  }

  private async finish(keep: boolean): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.broken = true;
    if (!keep) {
      await removeFileIfPresent(this.path);
      return;
    }
    const dir = join(this.path, '..');
    const logs = readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const { f } of logs.slice(KEPT_RUN_LOGS)) await removeFileIfPresent(join(dir, f));
  }
}
