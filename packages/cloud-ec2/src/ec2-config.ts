import { ec2SessionConfigShape, KMS_KEY } from '@aminator/aws-ec2';
import { z } from '@aminator/core';

const devicePath = z.string().regex(/^\/dev\/[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)*$/, 'a device path under /dev, without ".."');
const absoluteDir = z.string().regex(/^\/[^\0]*$/);

/** Config section `cloud.ec2`. */
export const ec2ConfigSchema = z
  .object({
    ...ec2SessionConfigShape,
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
    /** Attach at this name verbatim (still locked) instead of the first free slot (`--block-device`). */
    device: devicePath.optional(),
    /** The name asked of EC2: `/dev/sdf` or `/dev/xvdf`. */
    devicePrefix: z.enum(['sd', 'xvd']).default('sd'),
    /** Slot letters tried in order; each is one slot shared by its sd and xvd names. */
    deviceLetters: z
      .string()
      .regex(/^[a-z]{1,26}$/)
      .default('fghijklmnop'),
    /** How long to wait for the node of an attached volume. */
    nodeTimeoutMs: z.number().int().positive().max(3_600_000).default(120_000),
    /** Where device nodes appear (tests point this at a scratch directory). */
    devRoot: absoluteDir.default('/dev'),
    /** Where udev links NVMe EBS volumes by serial (the volume id). */
    byIdDir: absoluteDir.default('/dev/disk/by-id'),
  })
  .strict();

export type Ec2Config = z.infer<typeof ec2ConfigSchema>;
