import { amiConfigShape } from '@aminator/aws-ec2';
import { z } from '@aminator/core';

/** Config section `finalizer.ebsdirect`: the AMI keys every EC2 finalizer has, and how blocks are written. */
export const ebsDirectFinalizerConfigSchema = z
  .object({
    ...amiConfigShape,
    /** PutSnapshotBlock requests at once. */
    concurrency: z.number().int().min(1).max(256).default(16),
    /** StartSnapshot's Timeout: a snapshot not completed within this many minutes goes to `error` (10 to 4320). */
    snapshotWriteTimeoutMinutes: z.number().int().min(10).max(4_320).default(60),
  })
  .strict();

export type EbsDirectFinalizerConfig = z.infer<typeof ebsDirectFinalizerConfigSchema>;
