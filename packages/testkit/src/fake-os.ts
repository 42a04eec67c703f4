import type { MountedVolume, OperatingSystem, PreparedChroot, StepContext } from '@aminator/core/internal';
import { beforeStep, maybeFail } from './fake-step.js';
import type { FakeWorld } from './fake-world.js';

/** Prepares a chroot with two "bind mounts", each with its own undo, as a real OS plugin would. */
export class FakeOs implements OperatingSystem {
  readonly family = 'fake';

  constructor(private readonly world: FakeWorld) {}

  async prepareChroot(volume: MountedVolume, ctx: StepContext): Promise<PreparedChroot> {
    await beforeStep(this.world, 'prepareChroot', ctx.signal);
    for (const dir of ['proc', 'sys']) {
      const target = `${volume.root}/${dir}`;
      this.world.acquire('bind', target);
      ctx.cleanup.push({ description: `unmount ${target}`, resource: { kind: 'mount', id: target }, undo: async () => this.world.release('bind', target) });
    }
    maybeFail(this.world, 'prepareChroot');
    return { root: volume.root, family: this.family, env: { LANG: 'C' } };
  }
}
