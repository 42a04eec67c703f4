import { type BakePlan, type BaseImage, InvalidInputError, type PlanContext, type PluginOption } from '@aminator/core';
import { requestedArchitecture } from '@aminator/linux-host';
import type { Image } from '@aws-sdk/client-ec2';
import { lookUpBaseImage, toBaseImage, validateBaseImageQuery } from './base-image-lookup.js';
import type { Ec2Session } from './ec2-session.js';

/**
 * The base image of a bake for an EC2 cloud: `--base-image`, or the name pinned to an owner from
 * config, looked up once; the described image is kept for the volume step.
 */
export class BaseImages {
  private readonly described = new Map<string, Image>();

  constructor(
    private readonly session: Ec2Session,
    private readonly config: { readonly baseImageName?: string; readonly baseImageOwner?: string; readonly baseImageArch?: string },
  ) {}

  async resolve(ref: string | undefined, ctx: PlanContext): Promise<BaseImage> {
    const query = {
      ref,
      name: ref ? undefined : this.config.baseImageName,
      owner: this.config.baseImageOwner,
      architecture: requestedArchitecture(this.config.baseImageArch, '--base-image-arch').machine,
    };
    validateBaseImageQuery(query);
    const clients = await this.session.clients();
    const image = await lookUpBaseImage(clients.home, query, ctx.signal);
    this.described.set(image.ImageId ?? '', image);
    ctx.log.info(`base image ${image.ImageId} (${image.Name}, ${image.Architecture}, ${image.CreationDate}) owned by ${image.OwnerId}`);
    return toBaseImage(image, clients.region);
  }

  /** The EC2 description of a base image resolved before (or looked up now, by id). */
  async image(base: BaseImage, signal: AbortSignal): Promise<Image> {
    return this.described.get(base.id) ?? lookUpBaseImage((await this.session.clients()).home, { ref: base.id }, signal);
  }
}

/** A working volume may be larger than the base image's root, never smaller: checked in preflight. */
export function assertVolumeFits(plan: BakePlan, volumeSizeGiB: number | undefined): void {
  const baseGiB = Math.ceil(plan.baseImage.sizeBytes / 1024 ** 3);
  if (volumeSizeGiB !== undefined && volumeSizeGiB < baseGiB) {
    throw new InvalidInputError('--volume-size', `${volumeSizeGiB} GiB is smaller than the base image's root volume (${baseGiB} GiB)`);
  }
}

/** The flags of `ec2SessionConfigShape`'s keys, for every EC2 cloud's manifest. */
export const BASE_IMAGE_OPTIONS: readonly PluginOption[] = [
  {
    flag: 'region',
    key: 'region',
    type: 'string',
    valueName: 'region',
    description: 'region (default: AWS_REGION / profile, then IMDS where there is one)',
    cleanup: true,
  },
  {
    flag: 'base-image-name',
    key: 'baseImageName',
    type: 'string',
    valueName: 'name',
    description: 'base AMI by name (wildcards allowed; newest wins); needs --base-image-owner',
  },
  {
    flag: 'base-image-owner',
    key: 'baseImageOwner',
    type: 'string',
    valueName: 'account',
    description: 'owner the name lookup is pinned to: account id, self, amazon, aws-marketplace',
  },
  {
    flag: 'base-image-arch',
    key: 'baseImageArch',
    type: 'string',
    valueName: 'arch',
    description: "architecture the name lookup is filtered on: x86_64 or arm64 (default: this host's); the image keeps its base's",
  },
  {
    flag: 'lease-seconds',
    key: 'leaseSeconds',
    type: 'number',
    valueName: 's',
    description: 'lease on what the bake creates in the account, renewed while it runs (default 1800)',
  },
  {
    flag: 'lease-margin-seconds',
    key: 'leaseMarginSeconds',
    type: 'number',
    valueName: 's',
    description: "with cleanup --expired: how long after a lease ended another host's resource is reclaimed (clock skew; default 300)",
    cleanup: true,
  },
];
