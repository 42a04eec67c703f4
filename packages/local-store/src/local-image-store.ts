import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  AminatorError,
  assertPrivateDirectory,
  EXIT_USAGE,
  InvalidInputError,
  isRunId,
  LockError,
  type LockManager,
  newestFirst,
  newRunId,
  removeDirIfPresent,
  removeFileIfPresent,
  waitForLock,
  writeNewFile,
} from '@aminator/core';
import { sbomFileNames } from '@aminator/sbom';
import { syncPath, syncStagedFiles } from './durable-files.js';
import { IMAGE_ID, IMAGE_NAME, type ImageManifest, imageManifestSchema, VOLUME_ID } from './image-manifest.js';

export const LocalErrorCodes = {
  IMAGE_NOT_FOUND: 'E_IMAGE_NOT_FOUND',
  IMAGE_EXISTS: 'E_IMAGE_EXISTS',
  STORE_UNSAFE: 'E_STORE_UNSAFE',
  BOOT_LOADER: 'E_BOOT_LOADER',
  FOUNDATION_FAILED: 'E_FOUNDATION_FAILED',
  KEYRING_MISSING: 'E_KEYRING_MISSING',
  NO_SBOM: 'E_NO_SBOM',
} as const;

const DISK = 'disk.raw';
const MANIFEST = 'image.json';
const NAMES_LOCK = 'local-store-names';
const STAGE_PREFIX = '.tmp-';

/** A staged image directory and the lock that marks it as in use. */
export interface StagedImage {
  readonly dir: string;
  release(): Promise<void>;
}

/** Held by the bake that made a working volume, until it is deleted or adopted into an image. */
export function volumeLockName(volumeId: string): string {
  return `local-volume-${volumeId}`;
}

export function stageLockName(imageId: string): string {
  return `local-stage-${imageId}`;
}

/**
 * Ids name the run that made them (`img-<runId>`, `vol-<runId>`; a run makes at most one of each), so
 * `aminate cleanup` can ask whether that run still lives even without seeing its locks. Without a
 * run id (tests, tools), a random one.
 */
export function newImageId(runId?: string): string {
  return `img-${runId && isRunId(runId) ? runId : newRunId()}`;
}

export function newVolumeId(runId?: string): string {
  return `vol-${runId && isRunId(runId) ? runId : newRunId()}`;
}

/** The run an image or volume id names. */
export function runIdOf(id: string): string {
  return id.slice(id.indexOf('-') + 1);
}

/**
 * The local cloud's store. An image is `images/<id>/` holding `disk.raw` (sparse) and `image.json`;
 * it appears only by an atomic rename of a complete `.tmp-` directory, so a crash never leaves a half
 * image that looks complete. Working volumes are `volumes/<id>.raw`.
 */
export class LocalImageStore {
  constructor(readonly dir: string) {}

  get imagesDir(): string {
    return join(this.dir, 'images');
  }
  get volumesDir(): string {
    return join(this.dir, 'volumes');
  }

  diskOf(id: string): string {
    if (!IMAGE_ID.test(id)) throw new InvalidInputError('image', `"${id}" is not an image id`);
    return join(this.imagesDir, id, DISK);
  }

  /** A file the image keeps beside its disk and manifest (its SBOMs, its delta). */
  fileOf(id: string, file: string): string {
    if (!Object.values(sbomFileNames()).includes(file)) throw new InvalidInputError('file', `"${file}" is not a document an image keeps`);
    return join(dirname(this.diskOf(id)), file);
  }

  volumePath(id: string): string {
    if (!VOLUME_ID.test(id)) throw new InvalidInputError('volume', `"${id}" is not a volume id`);
    return join(this.volumesDir, `${id}.raw`);
  }

  /** Make the store's directories (0755 for images, 0700 for volumes), refusing unsafe ones. */
  async ensure(): Promise<void> {
    for (const [dir, mode] of [
      [this.dir, 0o755],
      [this.imagesDir, 0o755],
      [this.volumesDir, 0o700],
    ] as const) {
      await mkdir(dir, { recursive: true, mode });
      await assertSafeDirectory(dir);
    }
  }

  /** Before trusting what the store holds: its directories, where they exist, are safe. */
  private async assertSafe(): Promise<void> {
    for (const dir of [this.dir, this.imagesDir, this.volumesDir]) await assertSafeDirectory(dir, { mayBeMissing: true });
  }

  /** Every complete image, newest first. */
  async list(): Promise<ImageManifest[]> {
    await this.assertSafe();
    const entries = await readdir(this.imagesDir).catch(() => [] as string[]);
    const manifests = await Promise.all(entries.filter((e) => IMAGE_ID.test(e)).map((id) => this.read(id)));
    return manifests.filter((m): m is ImageManifest => m !== undefined).sort((a, b) => newestFirst(a.createdAt, b.createdAt));
  }

  /** An image by id or by exact name. */
  async find(ref: string): Promise<ImageManifest | undefined> {
    await this.assertSafe();
    if (IMAGE_ID.test(ref)) return this.read(ref);
    if (!IMAGE_NAME.test(ref)) throw new InvalidInputError('image', `"${ref}" is neither an image id nor a valid image name`);
    return (await this.list()).find((m) => m.name === ref);
  }

  async get(ref: string): Promise<ImageManifest> {
    const image = await this.find(ref);
    if (image) return image;
    throw new AminatorError(`no image "${ref}" in ${this.dir}`, {
      code: LocalErrorCodes.IMAGE_NOT_FOUND,
      exitCode: EXIT_USAGE,
      suggestions: ['list images with `aminate images list`', 'build a base image with `aminate foundation --name NAME`'],
    });
  }

  /**
   * A fresh `.tmp-` directory for an image being made, under a lock held until `release` — so that
   * `aminate cleanup` can tell a staged image of a dead run from one being written right now.
   */
  async stage(id: string, locks: LockManager): Promise<StagedImage> {
    const lock = await locks.tryAcquire(stageLockName(id));
    if (!lock) throw new LockError(`image id ${id} is being staged already`);
    const dir = join(this.imagesDir, `${STAGE_PREFIX}${id}`);
    try {
      await mkdir(dir, { mode: 0o755 });
    } catch (error) {
      await lock.release();
      throw error;
    }
    return { dir, release: () => lock.release() };
  }

  /** Staged directories (`images/.tmp-<id>`) by image id. */
  async listStaged(): Promise<Array<{ id: string; dir: string }>> {
    await this.assertSafe();
    const entries = await readdir(this.imagesDir, { withFileTypes: true }).catch(() => []);
    return entries
      .filter((e) => e.isDirectory() && e.name.startsWith(STAGE_PREFIX) && IMAGE_ID.test(e.name.slice(STAGE_PREFIX.length)))
      .map((e) => ({ id: e.name.slice(STAGE_PREFIX.length), dir: join(this.imagesDir, e.name) }));
  }

  /** Working volume files (`volumes/<id>.raw`) by volume id. */
  async listVolumes(): Promise<Array<{ id: string; path: string }>> {
    await this.assertSafe();
    const entries = await readdir(this.volumesDir, { withFileTypes: true }).catch(() => []);
    return entries
      .filter((e) => e.isFile() && e.name.endsWith('.raw') && VOLUME_ID.test(e.name.slice(0, -4)))
      .map((e) => ({ id: e.name.slice(0, -4), path: join(this.volumesDir, e.name) }));
  }

  /** Move a disk file into a staged directory (same file system: a rename, no copy). */
  async adoptDisk(staged: string, disk: string): Promise<void> {
    await rename(disk, join(staged, DISK));
  }

  /**
   * Write the manifest and publish the staged image under its id, checking under a store lock that
   * the name is free (or, with `replace`, removing the image that had it afterwards).
   */
  async publish(staged: string, manifest: ImageManifest, locks: LockManager, options: { replace?: boolean } = {}): Promise<void> {
    const valid = imageManifestSchema.parse(manifest);
    await writeFresh(join(staged, MANIFEST), `${JSON.stringify(valid, null, 2)}\n`);
    await syncStagedFiles(staged, new Set([DISK]));
    const lock = await acquire(locks, NAMES_LOCK);
    try {
      const existing = (await this.list()).find((m) => m.name === valid.name);
      if (existing && !options.replace) {
        throw new AminatorError(`an image named "${valid.name}" already exists (${existing.id})`, {
          code: LocalErrorCodes.IMAGE_EXISTS,
          exitCode: EXIT_USAGE,
          suggestions: ['choose another name or suffix, or pass --force to replace it'],
        });
      }
      await rename(staged, join(this.imagesDir, valid.id));
      await syncPath(this.imagesDir);
      if (existing) await this.remove(existing.id);
    } finally {
      await lock.release();
    }
  }

  /** Remove an image (only the files an image has; never a recursive delete). */
  async remove(id: string): Promise<void> {
    await removeImageDir(join(this.imagesDir, id));
  }

  /** Remove a staged directory left by a failed foundation or finalize. */
  async discard(staged: string): Promise<void> {
    await removeImageDir(staged);
  }

  private async read(id: string): Promise<ImageManifest | undefined> {
    try {
      const parsed = imageManifestSchema.safeParse(JSON.parse(await readFile(join(this.imagesDir, id, MANIFEST), 'utf8')));
      return parsed.success && parsed.data.id === id ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * A store directory must be a real directory that only this user can write: anyone else able to
 * write there could plant a disk or a manifest that a bake then trusts.
 */
async function assertSafeDirectory(dir: string, options: { mayBeMissing?: boolean } = {}): Promise<void> {
  try {
    assertPrivateDirectory(dir, 'store directory', {
      code: LocalErrorCodes.STORE_UNSAFE,
      suggestions: [`chown root ${dir} && chmod go-w ${dir} (a real directory, not a symlink)`, 'or point --store at a directory only this user can write'],
    });
  } catch (error) {
    if (!(options.mayBeMissing && (error as NodeJS.ErrnoException).code === 'ENOENT')) throw error;
  }
}

/** Every file an image directory can hold: its disk, its manifest, its SBOMs and its delta. */
const IMAGE_FILES = [DISK, MANIFEST, ...Object.values(sbomFileNames())];

async function removeImageDir(dir: string): Promise<void> {
  for (const file of IMAGE_FILES) await removeFileIfPresent(join(dir, file));
  await removeDirIfPresent(dir);
}

/** Create the file anew (a retried publish rewrites it), never following a symlink planted in its place. */
async function writeFresh(path: string, content: string): Promise<void> {
  await removeFileIfPresent(path);
  await writeNewFile(path, content, 0o644);
}

async function acquire(locks: LockManager, name: string): Promise<{ release(): Promise<void> }> {
  return waitForLock(locks, name, { intervalMs: 50, timeoutMs: 30_000, suggestions: ['run `aminate cleanup` if a crashed bake holds it'] });
}
