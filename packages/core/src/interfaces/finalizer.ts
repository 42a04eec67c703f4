import type { BakePlugin } from './bake-plugin.js';
import type { BaseImage, CloudVolume, ImageResult, InstalledPackage } from './bake-types.js';
import type { BakeInventory } from './package-inventory.js';
import type { StepContext } from './step-context.js';

/** What the finalizer turns into an image; the volume is unmounted and detached by then. */
export interface FinalizeInput {
  readonly volume: CloudVolume;
  readonly baseImage: BaseImage;
  readonly package: InstalledPackage;
  readonly environment: string;
  /**
   * The package databases before and after the install, when the provisioner reads them; a string
   * when it could not (the reason): the finalizer records the image without an SBOM and says so.
   */
  readonly inventory?: BakeInventory | string;
}

/**
 * kind `finalizer`: snapshot, register, tag and distribute the image.
 * What it creates is pushed with `when: 'on-failure'`, so a failure later removes it and success keeps it.
 */
export interface Finalizer extends BakePlugin {
  finalize(input: FinalizeInput, ctx: StepContext): Promise<ImageResult>;
}
