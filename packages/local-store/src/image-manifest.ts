import { z } from '@aminator/core';

export const IMAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+~()-]{0,127}$/;
export const IMAGE_ID = /^img-[0-9a-f]{12}$/;
export const VOLUME_ID = /^vol-[0-9a-f]{12}$/;

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
    /** What the user chose that weakens the image, e.g. packages installed without signature checks. */
    warnings: z.array(z.string()).optional(),
  })
  .strict();

export type ImageManifest = z.infer<typeof imageManifestSchema>;
