import { basename } from 'node:path';
import { type ImageContents, z } from '@aminator/core';

export const IMAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+~()-]{0,127}$/;
export const IMAGE_ID = /^img-[0-9a-f]{12}$/;
export const VOLUME_ID = /^vol-[0-9a-f]{12}$/;

const inventoryPackage = z
  .object({
    name: z.string().max(128),
    version: z.string().max(256),
    arch: z.string().max(32),
    source: z.string().max(128).optional(),
    sourceVersion: z.string().max(256).optional(),
    license: z.string().max(512).optional(),
  })
  .strict();
const upgradedPackage = z.object({ name: z.string().max(128), arch: z.string().max(32), from: z.string().max(256), to: z.string().max(256) }).strict();

/** image.json: everything known about a local image. */
export const imageManifestSchema = z
  .object({
    id: z.string().regex(IMAGE_ID),
    name: z.string().regex(IMAGE_NAME),
    description: z.string().max(1024).default(''),
    parentId: z.string().regex(IMAGE_ID).optional(),
    package: z.object({ name: z.string(), version: z.string(), release: z.string(), arch: z.string() }).optional(),
    tags: z.record(z.string(), z.string()).default({}),
    createdAt: z.string(),
    sizeBytes: z.number().int().positive(),
    architecture: z.string().optional(),
    os: z.object({ family: z.string(), release: z.string().optional() }).optional(),
    layout: z.object({
      partitionTable: z.enum(['gpt', 'mbr', 'none']),
      rootPartition: z.number().int().positive().optional(),
      fsType: z.string(),
    }),
    /** How the image boots; absent: it has no boot loader (a root file system only). */
    boot: z.object({ bios: z.boolean(), uefi: z.boolean() }).optional(),
    /**
     * What the image holds, when the bake read its package database: the package count, what the bake
     * changed against its parent, and its SBOM files (in the image's directory) with their SHA-256;
     * or why it has none.
     */
    contents: z
      .union([
        z
          .object({
            packages: z.number().int().nonnegative(),
            delta: z
              .object({
                added: z.array(inventoryPackage).readonly(),
                upgraded: z.array(upgradedPackage).readonly(),
                removed: z.array(inventoryPackage).readonly(),
              })
              .strict()
              .optional(),
            documents: z.array(
              z
                .object({ format: z.enum(['cyclonedx', 'spdx']), file: z.string().regex(/^[a-z.]+\.json$/), sha256: z.string().regex(/^[0-9a-f]{64}$/) })
                .strict(),
            ),
          })
          .strict(),
        z.object({ unavailable: z.string().max(4096) }).strict(),
      ])
      .optional(),
    /** What the user chose that weakens the image, e.g. packages installed without signature checks. */
    warnings: z.array(z.string()).optional(),
  })
  .strict();

export type ImageManifest = z.infer<typeof imageManifestSchema>;

/** What a manifest records of an image's contents: its documents by file name in the image's directory. */
export function manifestContents(contents: ImageContents | undefined): ImageManifest['contents'] {
  if (contents === undefined || 'unavailable' in contents) return contents;
  return { ...contents, documents: contents.documents.map((d) => ({ format: d.format, file: basename(d.path), sha256: d.sha256 })) };
}
