import { z } from '@aminator/core';

/** Config keys every package-manager provisioner has; each adds its own with `.extend`. */
export const installConfigShape = {
  /** Drop package caches afterwards so they do not bloat the image. */
  clean: z.boolean().default(true),
  /** Post-install scripts: `<dir>/*.sh` in the image, run in name order. */
  postInstallDir: z
    .string()
    .regex(/^\/[A-Za-z0-9._/-]+$/)
    .refine((p) => !p.split('/').includes('..'), 'no ".."')
    .default('/var/local'),
  installTimeoutMs: z.number().int().positive().max(86_400_000).default(3_600_000),
  downloadTimeoutMs: z.number().int().positive().max(3_600_000).default(600_000),
  maxDownloadBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 ** 3),
};
