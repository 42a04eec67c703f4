import { join } from 'node:path';
import type { MountedVolume, StepContext, VolumeManager } from '@aminator/core/internal';
import { beforeStep, maybeFail } from './fake-step.js';
import type { FakeWorld } from './fake-world.js';

/** "Mounts" the device at `<workDir>/root` in the FakeWorld. */
export class FakeVolume implements VolumeManager {
  constructor(private readonly world: FakeWorld) {}

  async mount(devicePath: string, ctx: StepContext): Promise<MountedVolume> {
    await beforeStep(this.world, 'mount', ctx.signal);
    const root = join(ctx.workDir, 'root');
    this.world.acquire('mount', root);
    ctx.cleanup.push({
      description: `unmount ${root}`,
      resource: { kind: 'mount', id: root },
      manual: [['umount', root]],
      undo: async () => this.world.release('mount', root),
    });
    maybeFail(this.world, 'mount');
    return { root, device: devicePath, fsType: 'fakefs' };
  }
}
