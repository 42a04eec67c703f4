import type { BakePlugin } from './bake-plugin.js';
import type { Attachment, BaseImage, CloudVolume, ImageResult } from './bake-types.js';
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
  /** Make a working volume from the base image's root; pushes its deletion. */
  createVolume(base: BaseImage, ctx: StepContext): Promise<CloudVolume>;
  /**
   * Attach the volume to this host and return once its block device node exists. How is the cloud's
   * own business (a loop device; an EC2 device name it chose and locked): it pushes the detach and the
   * release of whatever it locked.
   */
  attachVolume(volume: CloudVolume, ctx: StepContext): Promise<Attachment>;
  /**
   * Optional: the image a finalizer just registered, readable on this host for a verifier (pushes
   * the release). Without it core makes a volume from the image and attaches it, as a bake's first
   * steps do (`resolveBaseImage(image.id)`, `createVolume`, `attachVolume`).
   */
  imageDisk?(image: ImageResult, ctx: StepContext): Promise<ImageDisk>;
}
