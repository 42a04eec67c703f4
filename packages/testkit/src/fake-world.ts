import { appendFileSync } from 'node:fs';

export interface JournalEntry {
  readonly action: 'acquire' | 'release';
  readonly kind: string;
  readonly id: string;
  readonly pid: number;
}

export interface FakeBehaviour {
  /** Method (`createVolume`, `provision`, …) that throws after acquiring what it acquires. */
  readonly failAt?: string;
  /** Method that waits until the bake is aborted (for signal tests). */
  readonly hangAt?: string;
  /** Method that, after acquiring, stops the run from a timer (`ctx.abortRun`, as a lease keeper would) `abortRunAfterMs` later. */
  readonly abortRunFrom?: string;
  readonly abortRunAfterMs?: number;
  /** Kind of resource (`bind`, `mount`, …) whose release fails, every time. */
  readonly failRelease?: string;
  /** Method that does not look at the abort signal: it runs `ignoreAbortMs` whatever happens (the grace path). */
  readonly ignoreAbortAt?: string;
  readonly ignoreAbortMs?: number;
  /** Delay of every fake method, in ms. */
  readonly delayMs?: number;
  /** Append the journal as JSON lines to this file (for tests that drive the CLI in a child process). */
  readonly journalFile?: string;
}

/**
 * Shared state of the fakes: what is acquired and not yet released. A test passes when `live()` is
 * empty after the run, whatever path it took.
 */
export class FakeWorld {
  readonly journal: JournalEntry[] = [];
  private readonly held = new Map<string, { kind: string; id: string }>();
  private counter = 0;

  constructor(readonly behaviour: FakeBehaviour = {}) {}

  nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${process.pid}-${this.counter}`;
  }

  acquire(kind: string, id: string): void {
    this.held.set(`${kind}:${id}`, { kind, id });
    this.record({ action: 'acquire', kind, id, pid: process.pid });
  }

  release(kind: string, id: string): void {
    if (this.behaviour.failRelease === kind) throw new Error(`fake failure releasing ${kind} ${id}`);
    if (!this.held.delete(`${kind}:${id}`)) throw new Error(`fake ${kind} ${id} released twice or never acquired`);
    this.record({ action: 'release', kind, id, pid: process.pid });
  }

  isHeld(kind: string, id: string): boolean {
    return this.held.has(`${kind}:${id}`);
  }

  live(): Array<{ kind: string; id: string }> {
    return [...this.held.values()];
  }

  private record(entry: JournalEntry): void {
    this.journal.push(entry);
    if (this.behaviour.journalFile) appendFileSync(this.behaviour.journalFile, `${JSON.stringify(entry)}\n`);
  }
}
