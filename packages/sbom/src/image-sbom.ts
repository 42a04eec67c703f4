import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ImageContents, isAminatorError, type Logger, type PackageInventory, type SbomDocument, writeOutputFile } from '@aminator/core';
import { cycloneDxJson } from './cyclonedx.js';
import { packageDelta } from './package-delta.js';
import type { SbomSubject } from './sbom-subject.js';
import { spdxJson } from './spdx.js';

/** File names of an image's documents; `prefix` tells apart the images of one `--sbom-dir`. */
export function sbomFileNames(prefix = ''): { readonly cyclonedx: string; readonly spdx: string; readonly delta: string } {
  return { cyclonedx: `${prefix}sbom.cdx.json`, spdx: `${prefix}sbom.spdx.json`, delta: `${prefix}delta.json` };
}

/** An image's package list and, for a bake, its base image's: the delta is their difference. */
export interface SbomInventory {
  readonly image: PackageInventory;
  readonly base?: PackageInventory;
}

/**
 * Write an image's documents into `dir` — the SBOMs in both formats and, for a bake, the delta — and
 * say what was written, with the SHA-256 of each SBOM. `exclusive`: a directory others read
 * (`--sbom-dir`), where a file is never replaced and each appears whole; otherwise a staging directory
 * of the image's own.
 */
export async function writeImageSbom(
  dir: string,
  inventory: SbomInventory,
  subject: SbomSubject,
  options: { prefix?: string; exclusive?: boolean } = {},
): Promise<ImageContents> {
  const names = sbomFileNames(options.prefix);
  const delta = inventory.base ? packageDelta(inventory.base, inventory.image) : undefined;
  const sboms = [
    { format: 'cyclonedx', name: names.cyclonedx, text: await cycloneDxJson(inventory.image, subject) },
    { format: 'spdx', name: names.spdx, text: await spdxJson(inventory.image, subject) },
  ] as const;
  const files = [...sboms, ...(delta ? [{ name: names.delta, text: `${JSON.stringify({ image: subject.imageId, ...delta }, null, 2)}\n` }] : [])];
  const written: string[] = [];
  try {
    for (const { name, text } of files) {
      const path = join(dir, name);
      if (options.exclusive) await writeOutputFile(path, (to) => writeFile(to, text), { field: '--sbom-dir' });
      else await writeFile(path, text, { mode: 0o644, flag: 'wx' });
      written.push(path);
    }
  } catch (error) {
    // Only what this call made: a file that was there already was refused, not replaced.
    await Promise.all(written.map((path) => rm(path, { force: true })));
    throw error;
  }
  const documents: SbomDocument[] = sboms.map(({ format, name, text }) => ({
    format,
    path: join(dir, name),
    sha256: createHash('sha256').update(text).digest('hex'),
  }));
  return { packages: inventory.image.packages.length, ...(delta ? { delta } : {}), documents };
}

/**
 * The documents of a new image in its staging directory, or why there are none: a package list that
 * could not be read, or documents that could not be written, leave the image without an SBOM, said
 * in its contents, never a failed bake.
 */
export async function recordImageSbom(
  dir: string,
  inventory: SbomInventory | string | undefined,
  subject: SbomSubject,
  log: Logger,
  options: { prefix?: string; exclusive?: boolean } = {},
): Promise<ImageContents | undefined> {
  if (inventory === undefined) return undefined;
  if (typeof inventory === 'string') return { unavailable: inventory };
  try {
    return await writeImageSbom(dir, inventory, subject, options);
  } catch (error) {
    if (options.exclusive && isAminatorError(error)) throw error; // --sbom-dir refused: the user's to fix
    log.warn(`image ${subject.imageName} (${subject.imageId}) has no SBOM: ${(error as Error).message}`);
    return { unavailable: (error as Error).message };
  }
}
