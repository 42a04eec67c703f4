import { ec2SessionConfigShape, KMS_KEY } from '@aminator/aws-ec2';
import { z } from '@aminator/core';

/** Config section `cloud.ebsdirect`. */
export const ebsDirectConfigSchema = z
  .object({
    ...ec2SessionConfigShape,
    /** GiB; default the base image's root size. Larger makes the new snapshot larger and the volume plugin grow the file system. */
    volumeSize: z.number().int().min(1).max(65_536).optional(),
    /** Where base snapshots are kept between bakes (one sparse file per snapshot, with its block checksums). */
    cacheDir: z
      .string()
      .regex(/^\/[^\0]*$/, 'an absolute path')
      .default('/var/cache/aminator/ebs-snapshots'),
    /** GiB of cached blocks kept; past it, the entries used longest ago go after the next download. */
    cacheMaxGiB: z.number().min(1).max(65_536).default(20),
    /** GetSnapshotBlock requests at once while filling the cache. */
    concurrency: z.number().int().min(1).max(256).default(16),
    /** Encrypt the account's copy of a public or foreign base snapshot (also when the account encrypts by default). */
    encrypted: z.boolean().default(false),
    kmsKeyId: z.string().regex(KMS_KEY, 'a KMS key id, alias or ARN').optional(),
    copyTimeoutMs: z
      .number()
      .int()
      .positive()
      .max(24 * 3_600_000)
      .default(3 * 3_600_000),
  })
  .strict();

export type EbsDirectConfig = z.infer<typeof ebsDirectConfigSchema>;
