import { z } from '@aminator/core';

/** Config section `os.redhat`. */
export const redhatConfigSchema = z
  .object({
    /** How long a busy unmount of a chroot mount is retried before failing with its holders named. */
    unmountRetryMs: z.number().int().min(0).max(600_000).default(15_000),
    /** Programs replaced by a no-op while the image is baked, so package scripts start no services. */
    divert: z
      .array(z.string().regex(/^\/usr\/s?bin\/[a-z][a-z0-9_.-]*$/, 'a program under /usr/bin or /usr/sbin'))
      .default(['/usr/bin/systemctl', '/usr/sbin/service']),
  })
  .strict();

export type RedhatConfig = z.infer<typeof redhatConfigSchema>;
