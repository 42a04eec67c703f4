import {
  type Attachment,
  type BakePlan,
  type BaseImage,
  type BootMode,
  CLOUD_CONFIG,
  type Cloud,
  type CloudVolume,
  COMMAND_RUNNER,
  type CommandRunner,
  type ImageDisk,
  type ImageResult,
  inject,
  injectable,
  type Leftover,
  type LeftoverContext,
  LOCK_MANAGER,
  LockError,
  type LockManager,
  type PlanContext,
  removeFileIfPresent,
  type StepContext,
  UsageError,
} from '@aminator/core';
import { attachLoopForStep, copyDiskFile, HostTools, requireHostTools } from '@aminator/linux-host';
import type { ImageManifest } from '@aminator/local-store';
import { LOCAL_STORE, type LocalImageStore, newVolumeId, parseSize, volumeLockName } from '@aminator/local-store';
import type { LocalConfig } from './local-config.js';
import { findStoreLeftovers } from './store-leftovers.js';

/** Images in a store directory; a working volume is a sparse copy; attaching it is a loop device. */
@injectable()
export class LocalCloud implements Cloud {
  constructor(
    @inject(CLOUD_CONFIG) private readonly config: LocalConfig,
    @inject(LOCAL_STORE) private readonly store: LocalImageStore,
    @inject(COMMAND_RUNNER) private readonly commands: CommandRunner,
    @inject(LOCK_MANAGER) private readonly locks: LockManager,
  ) {}

  async preflight(_plan: BakePlan, ctx: PlanContext): Promise<void> {
    requireHostTools([HostTools.losetup], { needsRoot: !ctx.dryRun });
  }

  describePlan(): readonly string[] {
    return [`cloud local: sparse copy of the base image into ${this.store.volumesDir}, attached as a loop device`];
  }

  async resolveBaseImage(ref: string | undefined, _ctx: PlanContext): Promise<BaseImage> {
    const wanted = ref ?? this.config.baseImage;
    if (!wanted) {
      throw new UsageError('no base image: name one with --base-image (or cloud.local.baseImage in config)', {
        suggestions: ['list images with `aminate images list`', 'build one with `aminate foundation --name debian-12`'],
      });
    }
    return toBaseImage(await this.store.get(wanted), this.store.dir);
  }

  async createVolume(base: BaseImage, ctx: StepContext): Promise<CloudVolume> {
    await this.store.ensure();
    const image = await this.store.get(base.id);
    const id = newVolumeId(ctx.runId);
    const path = this.store.volumePath(id);
    await this.holdVolumeLock(id, ctx);
    ctx.cleanup.push({
      description: `delete volume ${path}`,
      resource: { kind: 'volume', id: path },
      manual: [['rm', '-f', path]],
      // The finalizer may have moved the file into a new image already.
      undo: () => removeFileIfPresent(path),
    });
    const sizeBytes = Math.max(image.sizeBytes, this.config.volumeSize === undefined ? 0 : parseSize('volumeSize', this.config.volumeSize));
    ctx.progress(`copying ${image.name} (${image.id})`);
    await copyDiskFile(this.commands, this.store.diskOf(image.id), path, { sizeBytes, signal: ctx.signal });
    return { id, sizeBytes, baseImageId: image.id };
  }

  /**
   * The image's own disk file: verifiers read it and boot a copy, never write it. How it boots comes
   * from its manifest (UEFI first when it has both).
   */
  async imageDisk(image: ImageResult): Promise<ImageDisk> {
    const manifest = await this.store.get(image.id);
    return { path: this.store.diskOf(manifest.id), bootModes: bootModesOf(manifest), architecture: manifest.architecture };
  }

  /** Loop devices over, and files of, working volumes and staged images that no live bake holds. */
  findLeftovers(ctx: LeftoverContext): Promise<readonly Leftover[]> {
    return findStoreLeftovers(this.store, ctx);
  }

  /** Marks the volume file as this bake's until it is deleted or adopted: `aminate cleanup` leaves it alone. */
  private async holdVolumeLock(id: string, ctx: StepContext): Promise<void> {
    const lock = await this.locks.tryAcquire(volumeLockName(id));
    if (!lock) throw new LockError(`volume id ${id} is in use already`, ['run the bake again (volume ids are random)']);
    ctx.cleanup.push({ description: `release the lock of volume ${id}`, evenWhenPreserving: true, undo: () => lock.release() });
  }

  async attachVolume(volume: CloudVolume, ctx: StepContext): Promise<Attachment> {
    return { volumeId: volume.id, device: await attachLoopForStep(this.commands, this.store.volumePath(volume.id), ctx) };
  }
}

export function toBaseImage(image: ImageManifest, store: string): BaseImage {
  return {
    id: image.id,
    name: image.name,
    location: store,
    sizeBytes: image.sizeBytes,
    architecture: image.architecture,
    description: image.description,
    tags: image.tags,
    bootModes: bootModesOf(image),
  };
}

/** The manifest's `boot` as firmware, UEFI first when the image has both. */
function bootModesOf(image: ImageManifest): BootMode[] {
  return [...(image.boot?.uefi ? ['uefi' as const] : []), ...(image.boot?.bios ? ['bios' as const] : [])];
}
