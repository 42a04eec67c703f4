import { z } from '@aminator/core';
import { installConfigShape } from '@aminator/linux-host';

/** Config section `provisioner.yum`. */
export const yumConfigSchema = z
  .object({
    ...installConfigShape,
    /** `--releasever` for dnf/yum, for images whose release cannot be detected. */
    releasever: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,32}$/)
      .optional(),
    /**
     * Extra repositories for this bake only (`--repofrompath`), e.g. the build's own: nothing is written
     * into the image.
     */
    repos: z
      .array(
        z
          .object({
            id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
            url: z.string().regex(/^(https?:\/\/[^\s,@]+|file:\/\/\/[^\s,]+)$/, 'an http(s):// or file:/// URL without credentials or commas'),
            gpgcheck: z.boolean().default(true),
          })
          .strict(),
      )
      .default([]),
    /** Install weak dependencies (Recommends) too; default off. */
    installWeakDeps: z.boolean().default(false),
  })
  .strict();

export type YumConfig = z.infer<typeof yumConfigSchema>;
