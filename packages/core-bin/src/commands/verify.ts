import type { Command } from 'commander';
import type { Session } from '../cli/session.js';
import { type CoreRunFlags, coreFlagLayers } from '../compose/core-flag-layers.js';
import type { EnvironmentPlugins } from '../compose/load-environment.js';
import { type FlagBinding, pluginFlagLayers } from '../compose/plugin-flags.js';
import { renderedRun } from './rendered-run.js';

/** What `aminate verify` and `aminate boot` get: an existing image and the environment to treat it with. */
export interface ImageCommandInput {
  readonly session: Session;
  readonly environment: string;
  readonly plugins: EnvironmentPlugins;
  readonly bindings: readonly FlagBinding[];
  readonly command: Command;
  readonly imageRef: string;
}

interface CoreVerifyFlags extends CoreRunFlags {
  dryRun?: boolean;
  json?: boolean;
  debug?: boolean;
}

/** `aminate verify IMAGE`: the environment's verifier on an image that exists; a failure removes nothing. */
export async function verify(input: ImageCommandInput): Promise<number> {
  const flags = input.command.optsWithGlobals<CoreVerifyFlags>();
  return renderedRun(
    {
      session: input.session,
      environment: input.environment,
      plugins: input.plugins,
      flagLayers: [...coreFlagLayers(flags), ...pluginFlagLayers(input.command, input.bindings)],
      output: { json: flags.json === true, debug: flags.debug === true },
      verify: { keepUnverified: true },
    },
    (pipeline, preserveOnError, signal) =>
      pipeline.verifyImage(
        {
          imageRef: input.imageRef,
          environment: input.environment,
          cloud: input.plugins.cloud.plugin.name,
          dryRun: flags.dryRun === true,
          preserveOnError,
        },
        signal,
      ),
  );
}
