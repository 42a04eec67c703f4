import { FAILPOINTS_ENV, newRunId, parseFailpoints, type RunOutcome, type RunPipeline, UsageError } from '@aminator/core/internal';
import type { Command } from 'commander';
import type { Session } from '../cli/session.js';
import { abortOnSignals } from '../cli/signals.js';
import { composeBake } from '../compose/compose-bake.js';
import { type CoreRunFlags, coreFlagLayers } from '../compose/core-flag-layers.js';
import type { EnvironmentPlugins } from '../compose/load-environment.js';
import { type FlagBinding, pluginFlagLayers } from '../compose/plugin-flags.js';
import { RunDisplay } from '../render/run-display.js';

/** What every run-type command (`bake`, `verify`, `boot`) gets from its command line. */
export interface CommandInput {
  readonly session: Session;
  readonly environment: string;
  readonly plugins: EnvironmentPlugins;
  readonly bindings: readonly FlagBinding[];
  readonly command: Command;
}

export interface RenderedRunOptions {
  /** Compose the environment's verifier (bake --verify, aminate verify and boot). */
  readonly verify?: { readonly keepUnverified: boolean };
  /** Plain lines even on a terminal (the terminal belongs to a console meanwhile). */
  readonly plain?: boolean;
}

interface RunFlags extends CoreRunFlags {
  json?: boolean;
  debug?: boolean;
}

/**
 * A pipeline run as the CLI shows it (`bake`, `verify`, `boot`): compose the environment with the
 * core and plugin flags given, render its events, turn signals into an abort that cleans up, return
 * the exit code.
 */
export async function renderedRun(
  input: CommandInput,
  options: RenderedRunOptions,
  start: (pipeline: RunPipeline, preserveOnError: boolean, signal: AbortSignal) => Promise<RunOutcome>,
): Promise<number> {
  if (options.verify) requireVerifier(input);
  const flags = input.command.optsWithGlobals<RunFlags>();
  const flagLayers = [...coreFlagLayers(flags), ...pluginFlagLayers(input.command, input.bindings)];
  const display = new RunDisplay({ json: flags.json === true, debug: flags.debug === true, plain: options.plain });
  const { renderer } = display;
  const { pipeline, preserveOnError, settings, dispose } = await composeBake({
    session: input.session,
    plugins: input.plugins,
    flagLayers,
    events: display.events,
    runId: newRunId(),
    failpoints: parseFailpoints(process.env[FAILPOINTS_ENV]),
    verify: options.verify,
  });
  if (settings.runLog) display.keepLog(settings.runLog);
  for (const r of input.session.discovery.rejected) {
    // Broken plugins the environment does not use are not fatal, but the user should hear of them.
    renderer.notice(`warning: ignoring ${r.packageName ?? r.path}: [${r.code}] ${r.reason} (see \`aminate plugins doctor\`)`);
  }
  const controller = new AbortController();
  const removeHandlers = abortOnSignals(controller, (message) => renderer.notice(message));
  try {
    return (await start(pipeline, preserveOnError, controller.signal)).exitCode;
  } finally {
    removeHandlers();
    display.close();
    await dispose();
  }
}

function requireVerifier(input: CommandInput): void {
  if (input.plugins.verifier) return;
  const named = input.session.core.environments[input.environment]?.verifier;
  throw new UsageError(
    named ? `the verifier ${named} of environment ${input.environment} is not installed` : `environment ${input.environment} names no verifier`,
    {
      suggestions: named ? [`npm i @aminator/verifier-${named} (next to @aminator/core-bin)`] : ['add `verifier: qemu` to the environment in your config file'],
    },
  );
}
