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
    /**
     * The file system's write barriers while the bake writes (ext3/ext4; other file systems keep
     * theirs). Off: each fsync in the chroot (dpkg makes hundreds) no longer waits for a cache flush
     * of the volume — through a loop device an fsync of its whole backing file — and the volume is
     * flushed once, after it is unmounted, before anything keeps it.
     */
    writeBarriers: z.boolean().default(false),
    /** How long a busy unmount is retried before the bake fails naming the holders. */
    unmountRetryMs: z.number().int().min(0).max(600_000).default(15_000),
  })
  .strict();

export type VolumeConfig = z.infer<typeof volumeConfigSchema>;

/** File systems the volume plugin knows how to mount and grow. */
export const SUPPORTED_FS = ['ext4', 'ext3', 'ext2', 'xfs'] as const;

/** Those of them whose driver takes `nobarrier` (ext3 is mounted by ext4's; xfs dropped the option). */
export const NOBARRIER_FS: readonly string[] = ['ext4', 'ext3'];
