import type { RunOutcome } from '../pipeline/run-outcome.js';
import type { PluginKind, PluginKindMap } from '../plugin/plugin-kinds.js';
import type { ImageResult } from './bake-types.js';
import type { CommandRunner } from './command-runner.js';
import type { LockManager } from './lock-manager.js';
import type { Logger } from './logger.js';
import type { StepSequence } from './step-sequence.js';

export interface PluginCommandArgument {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
}

export interface PluginCommandOption {
  /** Commander-style flags: `--suite <name>`, `-f, --force`, `--tag <key=value>`. */
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: string | boolean;
  readonly choices?: readonly string[];
  /** May be given more than once; the values collect into an array. */
  readonly repeatable?: boolean;
  /** Must be given: without it the command does not run (exit 2, naming the flag); say so in `description`. */
  readonly required?: boolean;
}

/** A plugin command's run of named steps (`aminate foundation`), for `PluginCommandContext.runSteps`. */
export interface CommandRunSpec {
  /**
   * Every step the command may take, in order, ending before `cleanup` (core adds it): the step
   * list on a terminal, and the names `AMINATOR_FAILPOINTS` may use. A dry run takes `plan` only.
   */
  readonly steps: readonly string[];
  /** What the run makes or works on, for its first event: `debian-12`. */
  readonly subject: string;
  readonly dryRun?: boolean;
}

/** How a plugin command's steps ended when nothing failed. */
export interface CommandRunEnd {
  /** What the run made, for `--json` and the summary. */
  readonly image?: ImageResult;
  /** What to tell a person on success: `registered debian-12 (local-…) in /var/lib/aminator/images`. */
  readonly lines?: readonly string[];
  /** A dry run: what the command would do. */
  readonly planLines?: readonly string[];
}

/** What a plugin command runs with. */
export interface PluginCommandContext<C = unknown> {
  /** The plugin's own config section, validated (flags of the command are not applied to it). */
  readonly config: C;
  readonly json: boolean;
  readonly debug: boolean;
  readonly commands: CommandRunner;
  readonly locks: LockManager;
  /** Messages to the user on stderr (debug only with --debug). */
  readonly log: Logger;
  /** Aborted on SIGINT/SIGTERM/SIGHUP. What a command acquires, it acquires in `runSteps`, which unwinds it. */
  readonly signal: AbortSignal;
  /** Print a result: the value as JSON with --json, else the text lines. */
  print(value: unknown, text: readonly string[]): void;
  /**
   * Run the command's work as named steps, the way a bake runs: a live step list on a terminal,
   * plain lines in CI, `--json` events, failpoints, the abort race, the run lock and private work
   * directory (`run.frame`), and one cleanup stack whose undos are events — unwound on failure or
   * signal (kept with --preserve-on-error), else by the closing `cleanup` step. The outcome's error
   * has been shown already: return its `exitCode`.
   */
  runSteps(spec: CommandRunSpec, body: (run: StepSequence) => Promise<CommandRunEnd>): Promise<RunOutcome>;
  /**
   * Another installed plugin, loaded and registered as a bake would (its config section validated,
   * core's services), in a container of its own: how `aminate foundation` asks the OS plugin named by
   * `--os` for its foundation. Unknown or broken: the loader's error (exit 2).
   */
  plugin<K extends PluginKind>(kind: K, name: string): Promise<PluginKindMap[K]>;
}

/**
 * A command a plugin adds to `aminate` (`aminate foundation`, `aminate images list`). List the
 * top-level names in the manifest (`"aminator": { …, "commands": ["images"] }`) so `aminate --help`
 * shows them without importing the plugin; the module is imported only when one is run.
 */
export interface PluginCommand<C = unknown> {
  readonly name: string;
  readonly summary: string;
  readonly description?: string;
  readonly arguments?: readonly PluginCommandArgument[];
  readonly options?: readonly PluginCommandOption[];
  readonly subcommands?: readonly PluginCommand<C>[];
  /** Returns the exit code. Throw AminatorErrors for failures (exit 2 for bad input). */
  run?(args: readonly string[], options: Readonly<Record<string, unknown>>, ctx: PluginCommandContext<C>): Promise<number>;
}
