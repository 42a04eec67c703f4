import type { BakePlugin } from './bake-plugin.js';
import type { MountedVolume } from './bake-types.js';
import type { StepContext } from './step-context.js';

/** kind `volume`: from a block device to a mounted root file system, and back. */
export interface VolumeManager extends BakePlugin {
  /**
   * Find the root file system on the device (whole disk or a partition), grow it when configured,
   * and mount it under `ctx.workDir`; pushes every unmount and partition mapping it makes.
   */
  mount(devicePath: string, ctx: StepContext): Promise<MountedVolume>;
}
