import { z } from '@aminator/core';

/** Config section `finalizer.local`. */
export const finalizerConfigSchema = z
  .object({
    /** Last part of `{name}-{version}-{release}-{arch}-{suffix}`; default UTC YYYYMMDDHHmm. */
    suffix: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .optional(),
    /** Replace an image that already has the name (never stacks suffixes). */
    force: z.boolean().default(false),
    /** Extra tags, `key=value`. */
    tags: z.array(z.string().max(400)).default([]),
    /** `creator` tag; default user@host. */
    creator: z
      .string()
      .regex(/^[A-Za-z0-9 _.:/=+@-]{1,128}$/)
      .optional(),
    description: z.string().max(1024).optional(),
  })
  .strict();

export type FinalizerConfig = z.infer<typeof finalizerConfigSchema>;
