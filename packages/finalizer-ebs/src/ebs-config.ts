import { KMS_KEY, REGION } from '@aminator/cloud-ec2';
import { z } from '@aminator/core';
export const SHARE_TARGET =
  /^(\d{12}|arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}|arn:aws[a-z-]*:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})$/;

/** Config section `finalizer.ebs`. */
export const ebsConfigSchema = z
  .object({
    suffix: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .optional(),
    /** Deregister an image of ours that already has the name (its snapshots are kept). */
    forceDeregister: z.boolean().default(false),
    tags: z.array(z.string().max(400)).default([]),
    creator: z
      .string()
      .regex(/^[A-Za-z0-9 _.:/=+@-]{1,128}$/)
      .optional(),
    description: z.string().max(255).optional(),
    /** Image attributes; unset means: as the base image has them. */
    ena: z.boolean().optional(),
    sriov: z.boolean().optional(),
    bootMode: z.enum(['legacy-bios', 'uefi', 'uefi-preferred']).optional(),
    imdsSupport: z.enum(['v2.0', 'none']).default('v2.0'),
    tpm: z.boolean().optional(),
    /** Launch permissions: account ids, organization ARNs, OU ARNs. */
    shareWith: z.array(z.string().regex(SHARE_TARGET, 'a 12-digit account id, an organization ARN or an OU ARN')).default([]),
    /** Regions to copy the image to (waits until each copy is available). */
    copyToRegions: z.array(z.string().regex(REGION, 'a region like eu-west-1')).default([]),
    /** KMS key per copy region (encrypts the copy). */
    copyKmsKeys: z.record(z.string().regex(REGION), z.string().regex(KMS_KEY)).default({}),
    /** ISO 8601 time at which the image (and its copies) are deprecated. */
    deprecateAt: z.string().datetime({ offset: true }).optional(),
    snapshotTimeoutMs: z
      .number()
      .int()
      .positive()
      .max(24 * 3_600_000)
      .default(3 * 3_600_000),
    imageTimeoutMs: z
      .number()
      .int()
      .positive()
      .max(24 * 3_600_000)
      .default(3_600_000),
    copyTimeoutMs: z
      .number()
      .int()
      .positive()
      .max(24 * 3_600_000)
      .default(6 * 3_600_000),
  })
  .strict();

export type EbsConfig = z.infer<typeof ebsConfigSchema>;
