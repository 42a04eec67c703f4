import { BAKE_SETTINGS, type BakeSettings, RunPipeline } from '@aminator/core/internal';
import { type ComposeInput, composeRun } from './compose-run.js';

/** A bake's pipeline, composed with the selected plugins (and the verifier, with --verify). */
export async function composeBake(
  input: ComposeInput,
): Promise<{ pipeline: RunPipeline; preserveOnError: boolean; settings: BakeSettings; dispose: () => Promise<void> }> {
  const { container, core } = await composeRun(input);
  return {
    pipeline: container.resolve(RunPipeline),
    preserveOnError: core.preserveOnError,
    settings: container.resolve<BakeSettings>(BAKE_SETTINGS),
    // Plugins' disposable services (SDK clients) are released when the run ends.
    dispose: async () => {
      await container.dispose();
    },
  };
}
