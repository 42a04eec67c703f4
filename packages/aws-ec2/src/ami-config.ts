import { IMAGE_NAMING_OPTIONS, imageNamingShape, type PluginOption, z } from '@aminator/core';
import { KMS_KEY, REGION, SHARE_TARGET } from './aws-patterns.js';

const hours = (n: number): number => n * 3_600_000;
const timeout = (defaultMs: number) => z.number().int().positive().max(hours(24)).default(defaultMs);

/**
 * The config keys every AMI-registering finalizer has (its section extends these): naming, tags,
 * image attributes, sharing, copies and deprecation.
 */
export const amiConfigShape = {
  ...imageNamingShape,
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
  /** Where the SBOMs (CycloneDX, SPDX) and the delta of each image are written; the AMI is tagged with their SHA-256. */
  sbomDir: z.string().startsWith('/', 'an absolute path').optional(),
  snapshotTimeoutMs: timeout(hours(3)),
  imageTimeoutMs: timeout(hours(1)),
  copyTimeoutMs: timeout(hours(6)),
};

const amiConfigSchema = z.object(amiConfigShape);
export type AmiConfig = z.infer<typeof amiConfigSchema>;

/** The flags of those keys, for a finalizer's manifest options. */
export const AMI_OPTIONS: readonly PluginOption[] = [
  ...IMAGE_NAMING_OPTIONS,
  { flag: 'ena', key: 'ena', type: 'boolean', description: 'mark the image ENA-enabled (default: as the base)' },
  { flag: 'sriov', key: 'sriov', type: 'boolean', description: 'mark the image for SR-IOV networking' },
  { flag: 'boot-mode', key: 'bootMode', type: 'string', valueName: 'mode', description: 'legacy-bios, uefi or uefi-preferred (default: as the base)' },
  { flag: 'tpm', key: 'tpm', type: 'boolean', description: 'NitroTPM v2.0 support' },
  {
    flag: 'share-with',
    key: 'shareWith',
    type: 'list',
    valueName: 'account|arn',
    description: 'launch permission for an account, organization or OU (repeatable)',
  },
  { flag: 'copy-to-region', key: 'copyToRegions', type: 'list', valueName: 'region', description: 'copy the image to this region (repeatable)' },
  {
    flag: 'sbom-dir',
    key: 'sbomDir',
    type: 'string',
    valueName: 'dir',
    description: "write each image's SBOMs and delta here (<ami-name>.sbom.cdx.json, …) and tag the AMI with their SHA-256",
  },
  { flag: 'deprecate-at', key: 'deprecateAt', type: 'string', valueName: 'time', description: 'deprecate the image (and copies) at this ISO 8601 time' },
];
