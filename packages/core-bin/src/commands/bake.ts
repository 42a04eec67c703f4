import { UsageError } from '@aminator/core/internal';
import { type CommandInput, renderedRun } from './rendered-run.js';

export interface BakeCommandInput extends CommandInput {
  readonly packageSpec: string;
}

interface BakeFlags {
  baseImage?: string;
  dryRun?: boolean;
  verify?: boolean;
  keepUnverified?: boolean;
}

/** `aminate bake`: compose the run, render its events, clean up on signals, return the exit code. */
export async function bake(input: BakeCommandInput): Promise<number> {
  const flags = input.command.optsWithGlobals<BakeFlags>();
  if (flags.keepUnverified && !flags.verify) throw new UsageError('--keep-unverified goes with --verify');
  return renderedRun(input, { verify: flags.verify ? { keepUnverified: flags.keepUnverified === true } : undefined }, (pipeline, preserveOnError, signal) =>
    pipeline.run(
      { packageSpec: input.packageSpec, baseImageRef: flags.baseImage, environment: input.environment, dryRun: flags.dryRun === true, preserveOnError },
      signal,
    ),
  );
}
