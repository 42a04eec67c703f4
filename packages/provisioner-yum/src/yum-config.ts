import { z } from '@aminator/core';
import { installConfigShape } from '@aminator/linux-host';

/** Config section `provisioner.yum`. */
export const yumConfigSchema = z.object({
  ...installConfigShape,
  /** `--releasever` for dnf/yum, for images whose release cannot be detected. */
  releasever: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/).optional(),
  /** Install weak dependencies (Recommends) too; default off. */
  installWeakDeps: z.boolean().default(false),
}).strict();

export type YumConfig = z.infer<typeof yumConfigSchema>;
