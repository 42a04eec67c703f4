import { z } from '@aminator/core';
import { findArchitecture } from '@aminator/linux-host';
import { AWS_ACCOUNT_OR_ALIAS, REGION } from './aws-patterns.js';
import { DEFAULT_CONSISTENCY_WINDOW_MS } from './fresh-resources.js';
import { DEFAULT_LEASE_MARGIN_SECONDS, DEFAULT_LEASE_SECONDS } from './leases.js';

/**
 * The config keys every EC2 cloud plugin has (its section extends these): where to work, how hard the
 * SDK tries, the eventual-consistency window, and the base image by name pinned to an owner.
 */
export const ec2SessionConfigShape = {
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
  /** The architecture a lookup by name is filtered on (`x86_64`, `arm64` or another of their names); default: this host's. */
  baseImageArch: z
    .string()
    .refine((name) => findArchitecture(name) !== undefined, 'an architecture: x86_64 (amd64) or arm64 (aarch64)')
    .optional(),
  /**
   * EC2 is eventually consistent: for this long after the bake creates a volume, snapshot or image,
   * NotFound for its id means "not visible yet" and the call is tried again (AWS documents seconds).
   */
  consistencyWindowMs: z.number().int().min(0).max(3_600_000).default(DEFAULT_CONSISTENCY_WINDOW_MS),
  /** SDK attempts per call (adaptive retry mode: client-side rate limiting under throttling). */
  maxAttempts: z.number().int().min(1).max(20).default(8),
  /**
   * The lease on what a bake creates in the account (working volumes, snapshots left `building`):
   * renewed every third of it while the bake runs; `aminate cleanup --expired` from another host
   * reclaims a resource only once its lease ended more than `leaseMarginSeconds` ago.
   */
  leaseSeconds: z.number().int().min(3).max(86_400).default(DEFAULT_LEASE_SECONDS),
  /** How far two hosts' clocks may disagree: added to a lease before another host acts on it. */
  leaseMarginSeconds: z.number().int().min(0).max(3600).default(DEFAULT_LEASE_MARGIN_SECONDS),
};

export interface Ec2SessionConfig {
  readonly region?: string;
  readonly maxAttempts: number;
  readonly consistencyWindowMs: number;
  readonly leaseSeconds?: number;
  readonly leaseMarginSeconds?: number;
  /** This host, when it is not an EC2 instance with IMDSv2 (only the instance mode asks). */
  readonly instanceId?: string;
  readonly availabilityZone?: string;
}
