import { CleanupError } from '../errors/cleanup-error.js';
import type { CleanupScope, ResourceRef, UndoEntry } from '../interfaces/cleanup-scope.js';

/** Why the stack is unwinding; decides which entries run. */
export type UnwindReason = 'success' | 'failure' | 'interrupted' | 'teardown';

/** A resource left in place by `--preserve-on-error`. */
export interface KeptResource {
  readonly description: string;
  readonly resource?: ResourceRef;
  readonly manual: ReadonlyArray<readonly string[]>;
}

export interface UndoOutcome {
  readonly entry: UndoEntry;
  readonly status: 'succeeded' | 'failed' | 'kept';
  readonly durationMs: number;
  readonly error?: CleanupError;
}

export interface UnwindOptions {
  readonly reason: UnwindReason;
  /** Keep what failure or interruption left, for debugging (`--preserve-on-error`). */
  readonly preserve?: boolean;
  /** Unwind only the entries pushed after this mark. */
  readonly downTo?: number;
  readonly onUndo?: (outcome: UndoOutcome) => void;
}

export interface UnwindReport {
  readonly errors: readonly CleanupError[];
  readonly kept: readonly KeptResource[];
}

/**
 * Undo entries in the order resources were acquired; unwinding runs them in reverse. Every entry is
 * attempted even when an earlier one failed; entries pushed while unwinding (a step that finished
 * late) are unwound too.
 */
export class CleanupStack implements CleanupScope {
  private readonly entries: UndoEntry[] = [];
  private readonly onPush: ((entry: UndoEntry) => void) | undefined;

  constructor(onPush?: (entry: UndoEntry) => void) {
    this.onPush = onPush;
  }

  push(entry: UndoEntry): void {
    this.entries.push(entry);
    this.onPush?.(entry);
  }

  get size(): number {
    return this.entries.length;
  }

  /** A position to unwind back to later. */
  mark(): number {
    return this.entries.length;
  }

  async unwind(options: UnwindOptions): Promise<UnwindReport> {
    const downTo = options.downTo ?? 0;
    const errors: CleanupError[] = [];
    const kept: KeptResource[] = [];
    const retained: UndoEntry[] = [];
    while (this.entries.length > downTo) {
      const entry = this.entries.pop() as UndoEntry;
      const decision = decide(entry, options);
      if (decision === 'retain') {
        retained.unshift(entry);
        continue;
      }
      if (decision === 'keep') {
        kept.push({ description: entry.description, resource: entry.resource, manual: entry.manual ?? [] });
        options.onUndo?.({ entry, status: 'kept', durationMs: 0 });
        continue;
      }
      const error = await runUndo(entry, options.onUndo);
      if (error) errors.push(error);
    }
    this.entries.push(...retained);
    return { errors, kept };
  }
}

function decide(entry: UndoEntry, options: UnwindOptions): 'run' | 'keep' | 'retain' {
  const succeeding = options.reason === 'success' || options.reason === 'teardown';
  // What the bake produced (a snapshot, an image) is only undone when the bake fails.
  if (entry.when === 'on-failure' && succeeding) return 'retain';
  if (!succeeding && options.preserve && !entry.evenWhenPreserving) return 'keep';
  return 'run';
}

async function runUndo(entry: UndoEntry, onUndo: UnwindOptions['onUndo']): Promise<CleanupError | undefined> {
  const started = performance.now();
  try {
    await entry.undo();
    onUndo?.({ entry, status: 'succeeded', durationMs: Math.round(performance.now() - started) });
    return undefined;
  } catch (cause) {
    const error = new CleanupError(entry.description, cause, manualSuggestions(entry));
    onUndo?.({ entry, status: 'failed', durationMs: Math.round(performance.now() - started), error });
    return error;
  }
}

function manualSuggestions(entry: UndoEntry): string[] {
  const manual = (entry.manual ?? []).map((argv) => `run: ${argv.join(' ')}`);
  return manual.length > 0 ? manual : ['run `aminate cleanup` to find and reclaim what is left'];
}
