import { z } from '@aminator/core';
import { DEFAULT_CONSISTENCY_WINDOW_MS } from './fresh-resources.js';

/** An AWS region name, e.g. eu-west-1. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** A KMS key id, alias or ARN. */
export const KMS_KEY = /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[0-9a-f-]{36})$/;
const AWS_ACCOUNT_OR_ALIAS = /^(\d{12}|self|amazon|aws-marketplace)$/;

/** Config section `cloud.ec2`. */
export const ec2ConfigSchema = z
  .object({
    /** Region to work in; default: the SDK chain (AWS_REGION, profile), then this instance's region (IMDS). */
    region: z.string().regex(REGION, 'a region like eu-west-1').optional(),
    /** Base image by name, pinned to `baseImageOwner` (a name alone is refused: anyone can publish a name). */
    baseImageName: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9()[\] ./'@_*?-]+$/, 'an AMI name (wildcards * and ? allowed)')
      .optional(),
    baseImageOwner: z.string().regex(AWS_ACCOUNT_OR_ALIAS, 'a 12-digit account id, self, amazon or aws-marketplace').optional(),
    /** This host, when it is not an EC2 instance with IMDSv2 (tests, other clouds' runners). */
    instanceId: z
      .string()
      .regex(/^i-[0-9a-f]{8,17}$/)
      .optional(),
    availabilityZone: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}[a-z]$/)
      .optional(),
    /** Working volume. */
    volumeType: z.enum(['gp3', 'gp2', 'io1', 'io2', 'st1', 'sc1', 'standard']).default('gp3'),
    /** GiB; default the base image's root size. Larger makes the volume plugin grow partition and file system. */
    volumeSize: z.number().int().min(1).max(65_536).optional(),
    iops: z.number().int().min(100).max(256_000).optional(),
    throughput: z.number().int().min(125).max(2_000).optional(),
    encrypted: z.boolean().default(false),
    kmsKeyId: z.string().regex(KMS_KEY, 'a KMS key id, alias or ARN').optional(),
    /** Waits: overall bounds per resource. */
    volumeTimeoutMs: z.number().int().positive().max(3_600_000).default(300_000),
    attachTimeoutMs: z.number().int().positive().max(3_600_000).default(300_000),
    /**
     * EC2 is eventually consistent: for this long after the bake creates a volume, snapshot or image,
     * NotFound for its id means "not visible yet" and the call is tried again (AWS documents seconds).
     */
    consistencyWindowMs: z.number().int().min(0).max(3_600_000).default(DEFAULT_CONSISTENCY_WINDOW_MS),
    /** SDK attempts per call (adaptive retry mode: client-side rate limiting under throttling). */
    maxAttempts: z.number().int().min(1).max(20).default(8),
  })
  .strict();

export type Ec2Config = z.infer<typeof ec2ConfigSchema>;
