import { z } from '@aminator/core';

/** Config section `provisioner.apt`. */
export const aptConfigSchema = z.object({
  /** `apt-get update` attempts before the bake fails (mirrors have bad minutes). */
  updateAttempts: z.number().int().min(1).max(10).default(3),
  retryDelayMs: z.number().int().min(0).max(60_000).default(2000),
  /** Install Recommends too (default off: smaller images, fewer surprises). */
  installRecommends: z.boolean().default(false),
  /** Allow installing an older version than the image has (with a `name=version` pin). */
  allowDowngrades: z.boolean().default(false),
  /** Remove downloaded .deb files from the image afterwards. */
  clean: z.boolean().default(true),
  /** Post-install scripts: `<dir>/*.sh` in the image, run in name order. */
  postInstallDir: z.string().regex(/^\/[A-Za-z0-9._/-]+$/).refine((p) => !p.split('/').includes('..'), 'no ".."').default('/var/local'),
  installTimeoutMs: z.number().int().positive().max(86_400_000).default(3_600_000),
  downloadTimeoutMs: z.number().int().positive().max(3_600_000).default(600_000),
  maxDownloadBytes: z.number().int().positive().default(4 * 1024 ** 3),
}).strict();

export type AptConfig = z.infer<typeof aptConfigSchema>;
