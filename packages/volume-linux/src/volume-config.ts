import { z } from '@aminator/core';

/** Config section `volume.linux`. */
export const volumeConfigSchema = z
  .object({
    /** Root partition number; detected from the partition table when absent (`--partition`). */
    partition: z.number().int().min(1).max(128).optional(),
    /** Grow the partition and file system to fill a volume larger than the base image. */
    grow: z.boolean().default(true),
    /** Extra mount options for the root file system. */
    mountOptions: z.array(z.string().regex(/^[a-z0-9_]+(=[A-Za-z0-9_.:-]+)?$/, 'a mount option like noatime or commit=60')).default([]),
    /** How long a busy unmount is retried before the bake fails naming the holders. */
    unmountRetryMs: z.number().int().min(0).max(600_000).default(15_000),
  })
  .strict();

export type VolumeConfig = z.infer<typeof volumeConfigSchema>;

/** File systems the volume plugin knows how to mount and grow. */
export const SUPPORTED_FS = ['ext4', 'ext3', 'ext2', 'xfs'] as const;
