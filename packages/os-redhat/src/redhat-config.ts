import { z } from '@aminator/core';
import { linuxChrootConfigShape } from '@aminator/linux-host';

/** Config section `os.redhat`. */
export const redhatConfigSchema = z
  .object({
    ...linuxChrootConfigShape,
    /** Programs replaced by a no-op while the image is baked, so package scripts start no services. */
    divert: z
      .array(z.string().regex(/^\/usr\/s?bin\/[a-z][a-z0-9_.-]*$/, 'a program under /usr/bin or /usr/sbin'))
      .default(['/usr/bin/systemctl', '/usr/sbin/service']),
  })
  .strict();

export type RedhatConfig = z.infer<typeof redhatConfigSchema>;
