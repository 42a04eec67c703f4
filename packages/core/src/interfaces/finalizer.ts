import type { BakePlugin } from './bake-plugin.js';
import type { BaseImage, CloudVolume, ImageResult, InstalledPackage } from './bake-types.js';
import type { StepContext } from './step-context.js';

/** What the finalizer turns into an image; the volume is unmounted and detached by then. */
export interface FinalizeInput {
  readonly volume: CloudVolume;
  readonly baseImage: BaseImage;
  readonly package: InstalledPackage;
  readonly environment: string;
}

/**
 * kind `finalizer`: snapshot, register, tag and distribute the image.
 * What it creates is pushed with `when: 'on-failure'`, so a failure later removes it and success keeps it.
 */
export interface Finalizer extends BakePlugin {
  finalize(input: FinalizeInput, ctx: StepContext): Promise<ImageResult>;
}
