import type { BakePlugin } from './bake-plugin.js';
import type { AllocatedDevice, Attachment } from './bake-types.js';
import type { StepContext } from './step-context.js';

/** kind `blockdevice`: choosing a free device name on this host, and finding its node once attached. */
export interface BlockDeviceAllocator extends BakePlugin {
  /**
   * Pick a device name no other bake or the OS uses and lock it; pushes the lock's release.
   * `inUse` holds names the cloud reports as attached.
   */
  allocate(inUse: readonly string[], ctx: StepContext): Promise<AllocatedDevice>;
  /**
   * Wait until the attached volume's block device node exists and return its path
   * (the requested name, its sd↔xvd twin, or the NVMe node of that volume).
   */
  waitForNode(attachment: Attachment, ctx: StepContext): Promise<string>;
}
