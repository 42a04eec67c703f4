import { createHash } from 'node:crypto';
import { newestFirst } from '@aminator/core';
import { readFileInside } from '@aminator/linux-host';
import { type LineageLink, sbomFileNames } from '@aminator/sbom';
import { DescribeImagesCommand, DescribeSnapshotsCommand, type EC2Client, type Image, paginateDescribeImages } from '@aws-sdk/client-ec2';
import { sbomPrefixOf } from './ami-publisher.js';
import { PARENT_SNAPSHOT_TAG } from './ebs-direct/snapshot-writer.js';
import { ec2Call } from './ec2-errors.js';
import { isNotFound } from './fresh-resources.js';

/** An AMI as aminate's tags describe it: what was baked, on what, and the digests of its SBOMs. */
export interface TaggedAmi extends LineageLink {
  readonly name: string;
  readonly createdAt: string;
  readonly ownerId?: string;
  /** `appversion`: the package the bake installed, `name-version-release`. */
  readonly appversion?: string;
  /** `base_ami_id`: the AMI it was baked on. */
  readonly parentId?: string;
  readonly parentName?: string;
  /** `sbom_cdx_sha256`: the SHA-256 of its CycloneDX document (written with --sbom-dir). */
  readonly sbomSha256?: string;
  /** Its root volume's snapshot. */
  readonly snapshotId?: string;
}

function tagged(image: Image): TaggedAmi {
  const tags = Object.fromEntries((image.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  const root = image.BlockDeviceMappings?.find((m) => m.DeviceName === image.RootDeviceName) ?? image.BlockDeviceMappings?.find((m) => m.Ebs);
  return {
    id: image.ImageId ?? '',
    name: image.Name ?? '',
    createdAt: image.CreationDate ?? '',
    ...(image.OwnerId ? { ownerId: image.OwnerId } : {}),
    ...(tags.appversion ? { appversion: tags.appversion } : {}),
    ...(tags.base_ami_id ? { parentId: tags.base_ami_id } : {}),
    ...(tags.base_ami_name ? { parentName: tags.base_ami_name } : {}),
    ...(tags.sbom_cdx_sha256 ? { sbomSha256: tags.sbom_cdx_sha256 } : {}),
    ...(root?.Ebs?.SnapshotId ? { snapshotId: root.Ebs.SnapshotId } : {}),
  };
}

/** The AMIs of `owners` that aminate baked (they carry `appversion`), newest first. */
export async function bakedAmis(client: EC2Client, owners: readonly string[], signal: AbortSignal): Promise<TaggedAmi[]> {
  const images: Image[] = [];
  await ec2Call('DescribeImages', async () => {
    const pages = paginateDescribeImages({ client }, { Owners: [...owners], Filters: [{ Name: 'tag-key', Values: ['appversion'] }] }, { abortSignal: signal });
    for await (const page of pages) images.push(...(page.Images ?? []));
  });
  return images.map(tagged).sort((a, b) => newestFirst(a.createdAt, b.createdAt));
}

/** One AMI by id, whoever owns it (a vendor's base too); undefined once it is deregistered. */
export async function amiById(client: EC2Client, id: string, signal: AbortSignal): Promise<TaggedAmi | undefined> {
  try {
    const { Images = [] } = await ec2Call(`DescribeImages ${id}`, () => client.send(new DescribeImagesCommand({ ImageIds: [id] }), { abortSignal: signal }));
    return Images[0] ? tagged(Images[0]) : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The snapshot an EBS direct snapshot was written as a child of (its `parent_snapshot` tag), if any. */
export async function parentSnapshotOf(client: EC2Client, snapshotId: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    const { Snapshots = [] } = await ec2Call(`DescribeSnapshots ${snapshotId}`, () =>
      client.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }), { abortSignal: signal }),
    );
    return Snapshots[0]?.Tags?.find((t) => t.Key === PARENT_SNAPSHOT_TAG)?.Value;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const MAX_SBOM_BYTES = 256 * 1024 * 1024;

/**
 * An AMI's CycloneDX document from the directory its bake wrote it to (--sbom-dir), found by the
 * AMI's name and accepted only if its SHA-256 is the one the AMI's tags carry. Why there is none, else.
 */
export async function sbomOfAmi(dir: string, ami: TaggedAmi): Promise<{ text: string } | { missing: string }> {
  if (!ami.sbomSha256) return { missing: 'its tags carry no SBOM digest (baked without --sbom-dir, or not by aminate)' };
  const name = sbomFileNames(sbomPrefixOf(ami.name)).cyclonedx;
  let bytes: Buffer | undefined;
  try {
    bytes = readFileInside(dir, name, MAX_SBOM_BYTES);
  } catch (error) {
    return { missing: (error as Error).message };
  }
  if (!bytes) return { missing: `no ${name} in ${dir}` };
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== ami.sbomSha256)
    return { missing: `${name} in ${dir} is not the document its tags name (SHA-256 ${digest.slice(0, 12)}…, tagged ${ami.sbomSha256.slice(0, 12)}…)` };
  return { text: bytes.toString('utf8') };
}
