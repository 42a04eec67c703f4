/** Something acquired during a bake, as events and `--preserve-on-error` describe it. */
export interface ResourceRef {
  /** Kind of resource: `volume`, `attachment`, `mount`, `loop-device`, `lock`, `file`, `snapshot`, `image`, … */
  readonly kind: string;
  /** Id or path of the resource. */
  readonly id: string;
}

/** One registered undo. */
export interface UndoEntry {
  /** What the undo does, in words: "unmount /var/lib/aminator/work/…/root". */
  readonly description: string;
  readonly resource?: ResourceRef;
  /**
   * How a person removes the resource by hand, printed with `--preserve-on-error`.
   * Give it as argument lists; it is shown, never run through a shell.
   */
  readonly manual?: ReadonlyArray<readonly string[]>;
  /**
   * `always` (default): run on success, failure and interruption.
   * `on-failure`: keep the resource when the bake succeeds (a snapshot or image the bake produced).
   */
  readonly when?: 'always' | 'on-failure';
  /** Run even with `--preserve-on-error` (temp files, for instance). Default false. */
  readonly evenWhenPreserving?: boolean;
  readonly undo: () => Promise<void>;
}

/**
 * Where plugins register the undo of everything they acquire.
 *
 * The rule for every plugin method that acquires something: push the undo as soon as the resource
 * exists — before waiting on it, before acquiring the next thing — so that a failure or a signal at
 * any point leaves nothing behind.
 */
export interface CleanupScope {
  push(entry: UndoEntry): void;
}
