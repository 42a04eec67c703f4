import {
  type BakeOutcome,
  type BakePipeline,
  type ConfigLayer,
  EventBus,
  FAILPOINTS_ENV,
  newRunId,
  parseFailpoints,
  RunLogFile,
  UsageError,
} from '@aminator/core';
import type { Session } from '../cli/session.js';
import { abortOnSignals } from '../cli/signals.js';
import { composeBake } from '../compose/compose-bake.js';
import type { EnvironmentPlugins } from '../compose/load-environment.js';
import { chooseRenderer } from '../render/choose-renderer.js';

export interface RenderedRunInput {
  readonly session: Session;
  readonly environment: string;
  readonly plugins: EnvironmentPlugins;
  readonly flagLayers: readonly ConfigLayer[];
  readonly output: { readonly json: boolean; readonly debug: boolean; readonly plain?: boolean };
  /** Compose the environment's verifier (bake --verify, aminate verify). */
  readonly verify?: { readonly keepUnverified: boolean };
}

/**
 * A pipeline run as the CLI shows it (`bake`, `verify`): compose the environment, render its events,
 * turn signals into an abort that cleans up, return the exit code.
 */
export async function renderedRun(
  input: RenderedRunInput,
  start: (pipeline: BakePipeline, preserveOnError: boolean, signal: AbortSignal) => Promise<BakeOutcome>,
): Promise<number> {
  if (input.verify) requireVerifier(input);
  const bus = new EventBus();
  const renderer = chooseRenderer(input.output);
  bus.subscribe((event) => renderer.handle(event));
  const { pipeline, preserveOnError, settings } = await composeBake({
    session: input.session,
    plugins: input.plugins,
    flagLayers: input.flagLayers,
    events: bus,
    runId: newRunId(),
    failpoints: parseFailpoints(process.env[FAILPOINTS_ENV]),
    verify: input.verify,
  });
  if (settings.runLog) {
    const log = new RunLogFile(settings.runLog, (message) => renderer.notice(message));
    bus.subscribe((event) => log.handle(event));
  }
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
    renderer.close();
  }
}

function requireVerifier(input: RenderedRunInput): void {
  if (input.plugins.verifier) return;
  const named = input.session.core.environments[input.environment]?.verifier;
  throw new UsageError(
    named ? `the verifier ${named} of environment ${input.environment} is not installed` : `environment ${input.environment} names no verifier`,
    {
      suggestions: named ? [`npm i @aminator/verifier-${named} (next to @aminator/core-bin)`] : ['add `verifier: qemu` to the environment in your config file'],
    },
  );
}
