import type { Command } from 'commander';
import { EventBus, FAILPOINTS_ENV, newRunId, parseFailpoints, UsageError } from '@aminator/core';
import type { Session } from '../cli/session.js';
import { abortOnSignals } from '../cli/signals.js';
import { composeBake } from '../compose/compose-bake.js';
import { coreFlagLayers, type CoreRunFlags } from '../compose/core-flag-layers.js';
import type { EnvironmentPlugins } from '../compose/load-environment.js';
import { pluginFlagLayers, type FlagBinding } from '../compose/plugin-flags.js';
import { chooseRenderer } from '../render/choose-renderer.js';

export interface BakeCommandInput {
  readonly session: Session;
  readonly environment: string;
  readonly plugins: EnvironmentPlugins;
  readonly bindings: readonly FlagBinding[];
  readonly command: Command;
  readonly packageSpec: string;
}

interface CoreBakeFlags extends CoreRunFlags {
  baseImage?: string;
  dryRun?: boolean;
  json?: boolean;
  debug?: boolean;
  verify?: boolean;
  keepUnverified?: boolean;
}

/** `aminate bake`: compose the run, render its events, clean up on signals, return the exit code. */
export async function bake(input: BakeCommandInput): Promise<number> {
  const flags = input.command.optsWithGlobals<CoreBakeFlags>();
  const failpoints = parseFailpoints(process.env[FAILPOINTS_ENV]);
  const flagLayers = [...coreFlagLayers(flags), ...pluginFlagLayers(input.command, input.bindings)];
  if (flags.keepUnverified && !flags.verify) throw new UsageError('--keep-unverified goes with --verify');
  if (flags.verify && !input.plugins.verifier) {
    const named = input.session.core.environments[input.environment]?.verifier;
    throw new UsageError(named
      ? `--verify: the verifier ${named} of environment ${input.environment} is not installed`
      : `--verify: environment ${input.environment} names no verifier`, {
      suggestions: named ? [`npm i @aminator/verifier-${named} (next to @aminator/core-bin)`] : ['add `verifier: qemu` to the environment in your config file'],
    });
  }
  const verify = flags.verify ? { keepUnverified: flags.keepUnverified === true } : undefined;
  const runId = newRunId();
  const bus = new EventBus();
  const renderer = chooseRenderer({ json: flags.json === true, debug: flags.debug === true });
  bus.subscribe((event) => renderer.handle(event));
  const { pipeline, preserveOnError } = await composeBake({ session: input.session, plugins: input.plugins, flagLayers, events: bus, runId, failpoints, verify });
  warnAboutRejected(input.session, (message) => renderer.notice(message));
  const controller = new AbortController();
  const removeHandlers = abortOnSignals(controller, (message) => renderer.notice(message));
  try {
    const outcome = await pipeline.run({
      packageSpec: input.packageSpec, baseImageRef: flags.baseImage, environment: input.environment,
      dryRun: flags.dryRun === true, preserveOnError,
    }, controller.signal);
    return outcome.exitCode;
  } finally {
    removeHandlers();
    renderer.close();
  }
}

/** Broken plugins the environment does not use are not fatal, but the user should hear of them. */
function warnAboutRejected(session: Session, say: (message: string) => void): void {
  for (const r of session.discovery.rejected) {
    say(`warning: ignoring ${r.packageName ?? r.path}: [${r.code}] ${r.reason} (see \`aminate plugins doctor\`)`);
  }
}
