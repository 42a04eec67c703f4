import type { BakePlugin } from './bake-plugin.js';
import type { AllocatedDevice, Attachment, BaseImage, CloudVolume, ImageResult } from './bake-types.js';
import type { PlanContext } from './plan-context.js';
import type { StepContext } from './step-context.js';
import type { ImageDisk } from './verifier.js';

/**
 * kind `cloud`: where base images live and where working volumes are made and attached.
 * EC2 makes EBS volumes; the local cloud makes sparse files and loop devices.
 *
 * Methods that acquire push their undo on `ctx.cleanup` as soon as the resource exists.
 */
export interface Cloud extends BakePlugin {
  /**
   * Find the base image. `ref` is `--base-image` (an id or a name); a plugin may read more from its
   * own config (an owner to pin a name lookup to). Read-only: it runs in `--dry-run`.
   */
  resolveBaseImage(ref: string | undefined, ctx: PlanContext): Promise<BaseImage>;
  /** Device names this host has attached according to the cloud, so allocation skips them. */
  devicesInUse(ctx: PlanContext): Promise<readonly string[]>;
  /** Make a working volume from the base image's root; pushes its deletion. */
  createVolume(base: BaseImage, ctx: StepContext): Promise<CloudVolume>;
  /** Attach the volume at the allocated name; pushes the detach. */
  attachVolume(volume: CloudVolume, device: AllocatedDevice, ctx: StepContext): Promise<Attachment>;
  /**
   * Optional: the image a finalizer just registered, readable on this host for a verifier (pushes
   * the release). Without it core makes a volume from the image and attaches it, as a bake's first
   * steps do (`resolveBaseImage(image.id)`, `createVolume`, `attachVolume`, the blockdevice plugin).
   */
  imageDisk?(image: ImageResult, ctx: StepContext): Promise<ImageDisk>;
}
