import { AminatorError, type BaseImage, type BootMode, EXIT_USAGE, InvalidInputError, newestFirst } from '@aminator/core';
import { DescribeImagesCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { AMI_ID } from './aws-patterns.js';
import { Ec2ErrorCodes, ec2Call, isEc2Code } from './ec2-errors.js';

const GiB = 1024 ** 3;

export interface BaseImageQuery {
  /** `--base-image`: an AMI id, or a name when `owner` is given. */
  readonly ref?: string;
  readonly name?: string;
  readonly owner?: string;
  /** EC2's `Architecture` a lookup by name is filtered on (`x86_64`, `arm64`); an id is taken as it is. */
  readonly architecture?: string;
}

/**
 * Checks what can be checked without the API: an id is an AMI id; a name comes with an owner. A name
 * alone is refused, because anyone can publish an image with any name.
 */
export function validateBaseImageQuery(query: BaseImageQuery): { id: string } | { name: string; owner: string } {
  const name = query.name ?? (query.ref && !AMI_ID.test(query.ref) ? query.ref : undefined);
  if (!name) {
    if (!query.ref) {
      throw new InvalidInputError('--base-image', 'name the base image: --base-image ami-… or --base-image-name NAME --base-image-owner ACCOUNT');
    }
    return { id: query.ref };
  }
  if (!query.owner) {
    throw new AminatorError(`refusing to look up the base image "${name}" by name without an owner: anyone can publish an image with that name`, {
      code: Ec2ErrorCodes.OWNER_REQUIRED,
      exitCode: EXIT_USAGE,
      suggestions: ['add --base-image-owner ACCOUNT_ID (or self, amazon, aws-marketplace)', 'or pass the AMI id with --base-image ami-…'],
    });
  }
  return { name, owner: query.owner };
}

/** The base image by id, or the newest available image of that name from that owner. */
export async function lookUpBaseImage(client: EC2Client, query: BaseImageQuery, signal: AbortSignal): Promise<Image> {
  const wanted = validateBaseImageQuery(query);
  const images = 'id' in wanted ? await byId(client, wanted.id, signal) : await byName(client, wanted.name, wanted.owner, query.architecture, signal);
  const available = images.filter((i) => i.State === 'available').sort((a, b) => newestFirst(a.CreationDate ?? '', b.CreationDate ?? ''));
  const image = available[0];
  if (!image) {
    const arch = 'id' in wanted || !query.architecture ? '' : ` for ${query.architecture}`;
    const what = 'id' in wanted ? wanted.id : `"${wanted.name}" owned by ${wanted.owner}${arch}`;
    throw new AminatorError(`no available base image ${what} in this region`, {
      code: Ec2ErrorCodes.BASE_IMAGE_NOT_FOUND,
      exitCode: EXIT_USAGE,
      suggestions: [
        'check the name, owner and --region',
        ...(arch ? ["a lookup by name takes the architecture of --base-image-arch (default: this host's): name another, or give the AMI id"] : []),
        'images that are pending or deprecated-and-hidden are not used',
      ],
    });
  }
  if (image.RootDeviceType !== 'ebs') throw new InvalidInputError('--base-image', `${image.ImageId} is not EBS-backed; aminate needs an EBS root snapshot`);
  return image;
}

async function byId(client: EC2Client, id: string, signal: AbortSignal): Promise<Image[]> {
  try {
    return (await client.send(new DescribeImagesCommand({ ImageIds: [id] }), { abortSignal: signal })).Images ?? [];
  } catch (error) {
    if (isEc2Code(error, 'InvalidAMIID.NotFound', 'InvalidAMIID.Malformed')) return [];
    return ec2Call(`DescribeImages ${id}`, () => Promise.reject(error));
  }
}

async function byName(client: EC2Client, name: string, owner: string, architecture: string | undefined, signal: AbortSignal): Promise<Image[]> {
  return ec2Call(
    `DescribeImages "${name}"`,
    async () =>
      (
        await client.send(
          new DescribeImagesCommand({
            Owners: [owner],
            Filters: [
              { Name: 'name', Values: [name] },
              { Name: 'state', Values: ['available'] },
              // One name pattern often covers both builds (debian-12-amd64-…, debian-12-arm64-…).
              ...(architecture ? [{ Name: 'architecture', Values: [architecture] }] : []),
            ],
          }),
          { abortSignal: signal },
        )
      ).Images ?? [],
  );
}

/** The root device's EBS mapping: its snapshot and size. */
export function rootMapping(image: Image): { snapshotId: string; sizeGiB: number; volumeType?: string; encrypted: boolean } {
  const root = image.BlockDeviceMappings?.find((m) => m.DeviceName === image.RootDeviceName) ?? image.BlockDeviceMappings?.find((m) => m.Ebs?.SnapshotId);
  if (!root?.Ebs?.SnapshotId) {
    throw new AminatorError(`${image.ImageId} has no EBS root snapshot for ${image.RootDeviceName}`, {
      code: Ec2ErrorCodes.BASE_IMAGE_NOT_FOUND,
      exitCode: EXIT_USAGE,
    });
  }
  return { snapshotId: root.Ebs.SnapshotId, sizeGiB: root.Ebs.VolumeSize ?? 8, volumeType: root.Ebs.VolumeType, encrypted: root.Ebs.Encrypted === true };
}

export function toBaseImage(image: Image, region: string): BaseImage {
  const tags = Object.fromEntries((image.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  return {
    id: image.ImageId ?? '',
    name: image.Name ?? '',
    owner: image.OwnerId,
    location: region,
    sizeBytes: rootMapping(image).sizeGiB * GiB,
    architecture: image.Architecture,
    description: image.Description,
    tags,
    bootModes: bootModesOf(image),
  };
}

/** EC2's BootMode as firmware, preferred first; an image without one boots as x86 instances do by default, legacy BIOS. */
export function bootModesOf(image: Pick<Image, 'BootMode'>): BootMode[] {
  switch (image.BootMode) {
    case 'uefi':
      return ['uefi'];
    case 'uefi-preferred':
      return ['uefi', 'bios'];
    default:
      return ['bios'];
  }
}
