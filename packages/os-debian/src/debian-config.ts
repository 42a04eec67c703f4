import { z } from '@aminator/core';

/** Config section `os.debian`. */
export const debianConfigSchema = z
  .object({
    /** How long a busy unmount of a chroot mount is retried before failing with its holders named. */
    unmountRetryMs: z.number().int().min(0).max(600_000).default(15_000),
  })
  .strict();

export type DebianConfig = z.infer<typeof debianConfigSchema>;
