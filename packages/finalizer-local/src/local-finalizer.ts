import {
  AminatorError,
  type BakePlan,
  EXIT_USAGE,
  FINALIZER_CONFIG,
  type FinalizeInput,
  type Finalizer,
  type ImageResult,
  InvalidInputError,
  imageName,
  LOCK_MANAGER,
  type LockManager,
  parseTags,
  type StepContext,
  standardImageTags,
} from '@aminator/core';
import { IMAGE_NAME, type ImageManifest, LOCAL_STORE, LocalErrorCodes, type LocalImageStore, newImageId } from '@aminator/local-store';
import { inject, injectable } from 'tsyringe';
import type { FinalizerConfig } from './finalizer-config.js';

/**
 * Registers the baked volume as an image of the local store: the volume file is moved (not copied)
 * into a staged image directory, the manifest written, and the directory renamed into place — so an
 * image is either complete or absent. Removed again if a later step fails.
 */
@injectable()
export class LocalFinalizer implements Finalizer {
  constructor(
    @inject(FINALIZER_CONFIG) private readonly config: FinalizerConfig,
    @inject(LOCAL_STORE) private readonly store: LocalImageStore,
    @inject(LOCK_MANAGER) private readonly locks: LockManager,
  ) {}

  async preflight(): Promise<void> {
    parseTags(this.config.tags);
  }

  describePlan(plan: BakePlan): readonly string[] {
    return [
      `finalizer local: register {name}-{version}-{release}-{arch}-${this.config.suffix ?? 'YYYYMMDDHHmm'} in ${this.store.dir}${this.config.force ? ' (replacing an image of that name)' : ''}, parent ${plan.baseImage.id}`,
    ];
  }

  async finalize(input: FinalizeInput, ctx: StepContext): Promise<ImageResult> {
    const name = imageName(input.package, this.config.suffix);
    if (!IMAGE_NAME.test(name)) throw new InvalidInputError('image name', `"${name}" is not a valid image name`);
    if (!this.config.force && (await this.store.find(name))) {
      throw new AminatorError(`an image named "${name}" already exists`, {
        code: LocalErrorCodes.IMAGE_EXISTS,
        exitCode: EXIT_USAGE,
        suggestions: ['pass --force to replace it, or set --suffix'],
      });
    }
    const parent = await this.store.get(input.baseImage.id);
    const id = newImageId(ctx.runId);
    const stage = await this.store.stage(id, this.locks);
    ctx.cleanup.push({ description: `release the stage lock of ${id}`, evenWhenPreserving: true, undo: () => stage.release() });
    const staged = stage.dir;
    ctx.cleanup.push({ description: `remove unfinished image ${staged}`, when: 'on-failure', undo: () => this.store.discard(staged) });
    await this.store.adoptDisk(staged, this.store.volumePath(input.volume.id));
    const manifest = this.manifest(id, name, input, parent);
    await this.store.publish(staged, manifest, this.locks, { replace: this.config.force });
    ctx.cleanup.push({
      description: `remove image ${name} (${id})`,
      when: 'on-failure',
      resource: { kind: 'image', id },
      manual: [['aminate', 'images', 'rm', id]],
      undo: () => this.store.remove(id),
    });
    return { id, name, cloud: 'local', region: this.store.dir, tags: manifest.tags };
  }

  /** The new image inherits the parent's OS, architecture and disk layout: a bake changes files, not partitions. */
  private manifest(id: string, name: string, input: FinalizeInput, parent: ImageManifest): ImageManifest {
    const { package: pkg, baseImage } = input;
    const createdAt = new Date().toISOString();
    return {
      id,
      name,
      parentId: parent.id,
      package: pkg,
      createdAt,
      sizeBytes: input.volume.sizeBytes,
      architecture: parent.architecture,
      description: this.config.description ?? `${pkg.name} ${pkg.version}-${pkg.release} on ${parent.name}`,
      os: parent.os,
      layout: parent.layout,
      boot: parent.boot,
      tags: standardImageTags({
        package: pkg,
        baseImage,
        userTags: this.config.tags,
        creator: this.config.creator,
        createdAt,
        basePrefix: 'base_image',
      }),
    };
  }
}
