import type { FinalizeInput, Finalizer, ImageResult, StepContext } from '@aminator/core/internal';
import { beforeStep, maybeFail } from './fake-step.js';
import type { FakeWorld } from './fake-world.js';

/** Registers an image in the FakeWorld; kept on success, removed when a later step fails. */
export class FakeFinalizer implements Finalizer {
  constructor(private readonly world: FakeWorld) {}

  async finalize(input: FinalizeInput, ctx: StepContext): Promise<ImageResult> {
    await beforeStep(this.world, 'finalize', ctx.signal);
    const id = this.world.nextId('img');
    this.world.acquire('image', id);
    ctx.cleanup.push({
      description: `deregister fake image ${id}`,
      when: 'on-failure',
      resource: { kind: 'image', id },
      undo: async () => this.world.release('image', id),
    });
    maybeFail(this.world, 'finalize');
    const { name, version, release, arch } = input.package;
    return {
      id,
      name: `${name}-${version}-${release}-${arch}`,
      cloud: 'fake',
      region: 'fake-1',
      tags: { appversion: `${name}-${version}-${release}`, base_image_id: input.baseImage.id },
    };
  }
}
