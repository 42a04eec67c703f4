import type { AllocatedDevice, Attachment, BlockDeviceAllocator, StepContext } from '@aminator/core';
import { beforeStep, maybeFail } from './fake-step.js';
import type { FakeWorld } from './fake-world.js';

const NAMES = 'fghijklmnop'.split('').map((letter) => `/dev/sd${letter}`);

/** Allocates `/dev/sdf`… names, "locked" in the FakeWorld. */
export class FakeBlockDevice implements BlockDeviceAllocator {
  constructor(private readonly world: FakeWorld) {}

  async allocate(inUse: readonly string[], ctx: StepContext): Promise<AllocatedDevice> {
    await beforeStep(this.world, 'allocate', ctx.signal);
    const name = NAMES.find((n) => !inUse.includes(n) && !this.world.isHeld('lock', n));
    if (!name) throw new Error('no free fake device name');
    this.world.acquire('lock', name);
    ctx.cleanup.push({ description: `release device lock ${name}`, resource: { kind: 'lock', id: name }, undo: async () => this.world.release('lock', name) });
    maybeFail(this.world, 'allocate');
    return { name };
  }

  async waitForNode(attachment: Attachment, ctx: StepContext): Promise<string> {
    await beforeStep(this.world, 'waitForNode', ctx.signal);
    maybeFail(this.world, 'waitForNode');
    return attachment.devicePath ?? attachment.requestedDevice;
  }
}
