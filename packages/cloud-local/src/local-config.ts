import { z } from '@aminator/core';

export const DEFAULT_STORE = '/var/lib/aminator';
const absolute = z
  .string()
  .regex(/^\/[^\0]*$/, 'an absolute path')
  .refine((p) => !p.split('/').includes('..'), 'no ".."');

/** Config section `cloud.local`. */
export const localConfigSchema = z
  .object({
    /** The image store: images/<id>/{disk.raw,image.json} and volumes/<id>.raw. */
    store: absolute.default(DEFAULT_STORE),
    /** Base image used when --base-image is not given. */
    baseImage: z.string().min(1).max(128).optional(),
    /** Size of the working volume (e.g. 4G); larger than the base image makes the volume plugin grow it. */
    volumeSize: z.union([z.string().regex(/^\d+[KMGT]?$/i), z.number().int().positive()]).optional(),
  })
  .strict();

export type LocalConfig = z.infer<typeof localConfigSchema>;
