import { BakePipeline } from '@aminator/core';
import { composeRun, type ComposeInput } from './compose-run.js';

/** A bake's pipeline, composed with the selected plugins (and the verifier, with --verify). */
export async function composeBake(input: ComposeInput): Promise<{ pipeline: BakePipeline; preserveOnError: boolean }> {
  const { container, core } = await composeRun(input);
  return { pipeline: container.resolve(BakePipeline), preserveOnError: core.preserveOnError };
}
