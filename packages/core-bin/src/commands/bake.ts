import { UsageError } from '@aminator/core';
import type { Command } from 'commander';
import type { Session } from '../cli/session.js';
import { type CoreRunFlags, coreFlagLayers } from '../compose/core-flag-layers.js';
import type { EnvironmentPlugins } from '../compose/load-environment.js';
import { type FlagBinding, pluginFlagLayers } from '../compose/plugin-flags.js';
import { renderedRun } from './rendered-run.js';

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
  if (flags.keepUnverified && !flags.verify) throw new UsageError('--keep-unverified goes with --verify');
  return renderedRun(
    {
      session: input.session,
      environment: input.environment,
      plugins: input.plugins,
      flagLayers: [...coreFlagLayers(flags), ...pluginFlagLayers(input.command, input.bindings)],
      output: { json: flags.json === true, debug: flags.debug === true },
      verify: flags.verify ? { keepUnverified: flags.keepUnverified === true } : undefined,
    },
    (pipeline, preserveOnError, signal) =>
      pipeline.run(
        {
          packageSpec: input.packageSpec,
          baseImageRef: flags.baseImage,
          environment: input.environment,
          dryRun: flags.dryRun === true,
          preserveOnError,
        },
        signal,
      ),
  );
}
