import { z } from '@aminator/core';

const word = /^[A-Za-z0-9.+~-]{1,64}$/;

/** Config section `provisioner.script`. */
export const scriptConfigSchema = z
  .object({
    /** Interpreter inside the image that runs the script. */
    interpreter: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]{1,200}$/, 'an absolute path inside the image')
      .default('/bin/sh'),
    /** Version and release the image is named and tagged with (a script has no package metadata). */
    version: z.string().regex(word).default('1.0'),
    release: z.string().regex(word).default('1'),
    /** Kill the script after this many seconds. */
    timeoutSec: z.number().int().positive().max(86_400).default(1800),
  })
  .strict();

export type ScriptConfig = z.infer<typeof scriptConfigSchema>;
