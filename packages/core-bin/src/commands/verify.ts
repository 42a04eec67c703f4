import { type CommandInput, renderedRun } from './rendered-run.js';

/** What `aminate verify` and `aminate boot` get: an existing image and the environment to treat it with. */
export interface ImageCommandInput extends CommandInput {
  readonly imageRef: string;
}

/** `aminate verify IMAGE`: the environment's verifier on an image that exists; a failure removes nothing. */
export async function verify(input: ImageCommandInput): Promise<number> {
  const flags = input.command.optsWithGlobals<{ dryRun?: boolean }>();
  return renderedRun(input, { verify: { keepUnverified: true } }, (pipeline, preserveOnError, signal) =>
    pipeline.verifyImage(
      { imageRef: input.imageRef, environment: input.environment, cloud: input.plugins.cloud.plugin.name, dryRun: flags.dryRun === true, preserveOnError },
      signal,
    ),
  );
}
