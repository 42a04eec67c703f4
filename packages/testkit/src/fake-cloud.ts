import type { Attachment, BaseImage, Cloud, CloudVolume, ImageDisk, ImageResult, PlanContext, StepContext } from '@aminator/core/internal';
import { beforeStep, maybeAbortRunLater, maybeFail } from './fake-step.js';
import type { FakeWorld } from './fake-world.js';

export const FAKE_BASE_SIZE = 1024 ** 3;

/** A cloud whose volumes and attachments exist only in the FakeWorld. */
export class FakeCloud implements Cloud {
  constructor(private readonly world: FakeWorld) {}

  async resolveBaseImage(ref: string | undefined, ctx: PlanContext): Promise<BaseImage> {
    await beforeStep(this.world, 'resolveBaseImage', ctx.signal);
    maybeFail(this.world, 'resolveBaseImage');
    return { id: ref ?? 'img-fakebase', name: 'fake-base', sizeBytes: FAKE_BASE_SIZE, architecture: 'x86_64', tags: {}, bootModes: ['uefi', 'bios'] };
  }

  async createVolume(base: BaseImage, ctx: StepContext): Promise<CloudVolume> {
    await beforeStep(this.world, 'createVolume', ctx.signal);
    const id = this.world.nextId('vol');
    this.world.acquire('volume', id);
    ctx.cleanup.push({
      description: `delete fake volume ${id}`,
      resource: { kind: 'volume', id },
      manual: [['fake-delete', id]],
      undo: async () => this.world.release('volume', id),
    });
    maybeFail(this.world, 'createVolume');
    maybeAbortRunLater(this.world, 'createVolume', ctx);
    return { id, sizeBytes: base.sizeBytes, baseImageId: base.id };
  }

  async attachVolume(volume: CloudVolume, ctx: StepContext): Promise<Attachment> {
    await beforeStep(this.world, 'attachVolume', ctx.signal);
    const device = `/fake/dev/${volume.id}`;
    const id = `${volume.id}@${device}`;
    this.world.acquire('attachment', id);
    ctx.cleanup.push({
      description: `detach fake volume ${volume.id}`,
      resource: { kind: 'attachment', id },
      undo: async () => this.world.release('attachment', id),
    });
    maybeFail(this.world, 'attachVolume');
    return { volumeId: volume.id, device };
  }

  async imageDisk(image: ImageResult, ctx: StepContext): Promise<ImageDisk> {
    await beforeStep(this.world, 'imageDisk', ctx.signal);
    const path = `/fake/${image.id}.raw`;
    this.world.acquire('image-disk', path);
    ctx.cleanup.push({
      description: `release fake image disk ${path}`,
      resource: { kind: 'image-disk', id: path },
      undo: async () => this.world.release('image-disk', path),
    });
    maybeFail(this.world, 'imageDisk');
    return { path, bootModes: ['uefi', 'bios'] };
  }
}
