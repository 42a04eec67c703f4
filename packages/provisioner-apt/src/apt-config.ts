import { z } from '@aminator/core';
import { installConfigShape } from '@aminator/linux-host';

/** Config section `provisioner.apt`. */
export const aptConfigSchema = z
  .object({
    ...installConfigShape,
    /** `apt-get update` attempts before the bake fails (mirrors have bad minutes). */
    updateAttempts: z.number().int().min(1).max(10).default(3),
    retryDelayMs: z.number().int().min(0).max(60_000).default(2000),
    /** Install Recommends too (default off: smaller images, fewer surprises). */
    installRecommends: z.boolean().default(false),
    /** Allow installing an older version than the image has (with a `name=version` pin). */
    allowDowngrades: z.boolean().default(false),
    /**
     * dpkg's own fsync of every file it unpacks (`--force-unsafe-io` when off). A bake keeps the
     * volume only once it is unmounted (which writes the file system out) and discards it on any
     * failure, so these syncs protect nothing it keeps; each one waits for the loop device's flush.
     */
    dpkgSync: z.boolean().default(false),
  })
  .strict();

export type AptConfig = z.infer<typeof aptConfigSchema>;
