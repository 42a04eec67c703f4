import { basename } from 'node:path';
import {
  AminatorError,
  type BakePlan,
  EXIT_USAGE,
  FINALIZER_CONFIG,
  type FinalizeInput,
  type Finalizer,
  type ImageContents,
  type ImageResult,
  InvalidInputError,
  imageName,
  inject,
  injectable,
  LOCK_MANAGER,
  type LockManager,
  type PlanContext,
  parseTags,
  type StepContext,
  standardImageTags,
} from '@aminator/core';
import { IMAGE_NAME, type ImageManifest, LOCAL_STORE, LocalErrorCodes, type LocalImageStore, manifestContents, newImageId } from '@aminator/local-store';
import { preloadSbomLibraries, recordImageSbom } from '@aminator/sbom';
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

  async preflight(_plan: BakePlan, ctx: PlanContext): Promise<void> {
    parseTags(this.config.tags);
    // Loaded while the package installs, not after: ~30 ms off the finalize step.
    if (!ctx.dryRun) preloadSbomLibraries();
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
    const createdAt = new Date().toISOString();
    const written = await recordImageSbom(staged, input.inventory, { imageId: id, imageName: name, createdAt }, ctx.log);
    const manifest = this.manifest(id, name, createdAt, input, parent, written);
    await this.store.publish(staged, manifest, this.locks, { replace: this.config.force });
    ctx.cleanup.push({
      description: `remove image ${name} (${id})`,
      when: 'on-failure',
      resource: { kind: 'image', id },
      manual: [['aminate', 'images', 'rm', id]],
      undo: () => this.store.remove(id),
    });
    const contents =
      written && 'documents' in written
        ? { ...written, documents: written.documents.map((d) => ({ ...d, path: this.store.fileOf(id, basename(d.path)) })) }
        : written;
    return { id, name, cloud: 'local', region: this.store.dir, tags: manifest.tags, ...(contents ? { contents } : {}) };
  }

  /** The new image inherits the parent's OS, architecture and disk layout: a bake changes files, not partitions. */
  private manifest(
    id: string,
    name: string,
    createdAt: string,
    input: FinalizeInput,
    parent: ImageManifest,
    contents: ImageContents | undefined,
  ): ImageManifest {
    const { package: pkg, baseImage } = input;
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
      contents: manifestContents(contents),
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
