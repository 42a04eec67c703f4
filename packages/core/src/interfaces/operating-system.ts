import type { BakePlugin } from './bake-plugin.js';
import type { MountedVolume, PreparedChroot } from './bake-types.js';
import type { FoundationBuilder } from './foundation.js';
import type { StepContext } from './step-context.js';

/** kind `os`: turning a mounted root into a chroot safe to install into, and back. */
export interface OperatingSystem extends BakePlugin {
  /** OS family, e.g. `debian` or `redhat`. */
  readonly family: string;
  /**
   * Bind-mount the pseudo file systems, copy resolv.conf in, keep services from starting — inside
   * the chroot only; pushes the undo of each change as it is made.
   */
  prepareChroot(volume: MountedVolume, ctx: StepContext): Promise<PreparedChroot>;
  /** Optional: building base images of this OS from nothing (`aminate foundation --os <name>`). */
  readonly foundation?: FoundationBuilder;
}
