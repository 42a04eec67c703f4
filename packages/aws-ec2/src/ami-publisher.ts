import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AminatorError,
  type BakePlan,
  EXIT_USAGE,
  type FinalizeInput,
  type ImageContents,
  type ImageResult,
  type InstalledPackage,
  InvalidInputError,
  imageName,
  type PlanContext,
  parseTags,
  type StepContext,
  standardImageTags,
} from '@aminator/core';
import { packageDelta, preloadSbomLibraries, recordImageSbom, sbomFileNames } from '@aminator/sbom';
import {
  DeregisterImageCommand,
  DescribeImagesCommand,
  type EC2Client,
  EnableImageDeprecationCommand,
  type Image,
  ModifyImageAttributeCommand,
  RegisterImageCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import type { AmiConfig } from './ami-config.js';
import { amiName } from './ami-name.js';
import { lookUpBaseImage } from './base-image-lookup.js';
import { imageMappings } from './block-device-mappings.js';
import { unlessAbortedBefore } from './cleanup-calls.js';
import { Ec2ErrorCodes, ec2Call } from './ec2-errors.js';
import type { Ec2Session } from './ec2-session.js';
import { copyImageTo } from './image-copies.js';
import { removeImage } from './image-removal.js';
import { waitForImage } from './image-waits.js';
import { launchPermissions } from './launch-permissions.js';

const GiB = 1024 ** 3;
/** EC2's limit of tags on one resource. */
const MAX_TAGS = 50;
/** The tags `tags()` adds to the user's: appversion, base_ami_id, base_ami_name, creator, creation_time. */
const STANDARD_TAGS = 5;
/** And with --sbom-dir: sbom_cdx_sha256 and sbom_spdx_sha256. */
const SBOM_TAGS = 2;
/** Characters of an AMI name a file name in --sbom-dir does not take (`/`, spaces, quotes). */
const NOT_IN_FILE_NAMES = /[^A-Za-z0-9._()@-]/g;

/** What the documents of the AMI named `name` are called in --sbom-dir start with. */
export function sbomPrefixOf(name: string): string {
  return `${name.replace(NOT_IN_FILE_NAMES, '_')}.`;
}

export interface PublishInput {
  readonly finalize: FinalizeInput;
  readonly name: string;
  readonly tags: readonly Tag[];
  /** The new root snapshot, complete. */
  readonly snapshotId: string;
  readonly sizeBytes: number;
  /** What the image holds, for the result (from `tags()`). */
  readonly contents?: ImageContents;
}

/**
 * What every AMI-making finalizer does once it has a root snapshot, whichever way it made it: the name
 * checked and cleared, the image registered with the base image's mappings and attributes, waited for,
 * shared, deprecated and copied. Everything it creates is pushed `on-failure`.
 */
export class AmiPublisher {
  constructor(
    private readonly config: AmiConfig,
    private readonly session: Ec2Session,
  ) {}

  /** Tags and deprecation time checked; when the spec names its version, the name is checked for collisions now, before anything is made. */
  async preflight(plan: BakePlan, ctx: PlanContext, ownSnapshotTags = 0): Promise<void> {
    const userTags = Object.keys(parseTags(this.config.tags)).length;
    const added = STANDARD_TAGS + (this.config.sbomDir ? SBOM_TAGS : 0) + ownSnapshotTags;
    const total = userTags + added;
    if (total > MAX_TAGS) {
      throw new InvalidInputError('--tag', `${userTags} tags, with the ${added} aminate adds, pass EC2's limit of ${MAX_TAGS} tags on a resource`, [
        `give at most ${MAX_TAGS - added} --tag flags (tags in config count too)`,
      ]);
    }
    if (this.config.deprecateAt && Date.parse(this.config.deprecateAt) <= Date.now()) {
      throw new InvalidInputError('--deprecate-at', `${this.config.deprecateAt} is in the past`);
    }
    if (ctx.dryRun) return;
    // Loaded while the package installs, not after the snapshot.
    if (this.config.sbomDir) preloadSbomLibraries();
    if (!plan.spec.name || !plan.spec.version) return;
    const [version, release = ''] = plan.spec.version.split(/-(?=[^-]*$)/);
    const name = this.nameOf({ name: plan.spec.name, version: version ?? '', release, arch: plan.baseImage.architecture === 'arm64' ? 'arm64' : 'amd64' });
    if (this.config.suffix && !this.config.force && (await this.existing(name, ctx.signal))) throw nameTaken(name);
  }

  /** The plan line: how the snapshot is made (the finalizer's words), then what is registered and where it goes. */
  describe(plan: BakePlan, snapshotHow: string): string {
    const extra = [
      this.config.shareWith.length > 0 ? `share with ${this.config.shareWith.join(', ')}` : '',
      this.config.copyToRegions.length > 0 ? `copy to ${this.config.copyToRegions.join(', ')}` : '',
      this.config.deprecateAt ? `deprecate at ${this.config.deprecateAt}` : '',
    ].filter(Boolean);
    return `${snapshotHow}, register {name}-{version}-{release}-{arch}-${this.config.suffix ?? 'YYYYMMDDHHmm'} with ${plan.baseImage.id}'s mappings${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`;
  }

  nameOf(pkg: InstalledPackage): string {
    return amiName(imageName(pkg, this.config.suffix));
  }

  /**
   * The standard tags, with the names the Python Aminator gave AMIs (`base_ami_id`, `base_ami_name`),
   * and what the image holds: with --sbom-dir, its documents are written there first (removed again if
   * the bake fails) and the AMI carries their SHA-256, so a document can be matched to its image.
   */
  async tags(input: FinalizeInput, name: string, ctx: StepContext): Promise<{ tags: Tag[]; contents?: ImageContents }> {
    const createdAt = new Date().toISOString();
    const all: Record<string, string> = standardImageTags({
      package: input.package,
      baseImage: input.baseImage,
      userTags: this.config.tags,
      creator: this.config.creator,
      createdAt,
      basePrefix: 'base_ami',
    });
    const contents = await this.contents(input, name, createdAt, ctx);
    for (const document of contents && 'documents' in contents ? contents.documents : []) {
      all[document.format === 'cyclonedx' ? 'sbom_cdx_sha256' : 'sbom_spdx_sha256'] = document.sha256;
    }
    return { tags: Object.entries(all).map(([Key, Value]) => ({ Key, Value })), ...(contents ? { contents } : {}) };
  }

  private async contents(input: FinalizeInput, name: string, createdAt: string, ctx: StepContext): Promise<ImageContents | undefined> {
    const { inventory } = input;
    if (inventory === undefined || typeof inventory === 'string' || !this.config.sbomDir) {
      // Without --sbom-dir nothing is kept but what the result says: the count and the delta.
      return typeof inventory === 'object'
        ? { packages: inventory.image.packages.length, delta: packageDelta(inventory.base, inventory.image), documents: [] }
        : inventory === undefined
          ? undefined
          : { unavailable: inventory };
    }
    const dir = this.config.sbomDir;
    const prefix = sbomPrefixOf(name);
    const written = await recordImageSbom(dir, inventory, { imageId: name, imageName: name, createdAt }, ctx.log, { prefix, exclusive: true });
    const files = Object.values(sbomFileNames(prefix)).map((file) => join(dir, file));
    ctx.cleanup.push({
      description: `remove the SBOM files of ${name} from ${dir}`,
      when: 'on-failure',
      manual: [['rm', '-f', '--', ...files]],
      undo: async () => {
        await Promise.all(files.map((file) => rm(file, { force: true })));
      },
    });
    return written;
  }

  /** Before the snapshot is made: an image of ours with this name is refused unless --force. */
  async checkName(name: string, ctx: StepContext): Promise<void> {
    if (!this.config.force && (await this.existing(name, ctx.signal))) throw nameTaken(name);
  }

  /**
   * With --force, the image of ours with this name is deregistered (its snapshots kept) —
   * only once the new image's data is complete, right before it is registered: a bake that fails
   * earlier leaves the old image in place.
   */
  private async clearName(name: string, ctx: StepContext): Promise<void> {
    const existing = await this.existing(name, ctx.signal);
    if (!existing) return;
    if (!this.config.force) throw nameTaken(name);
    ctx.log.warn(`deregistering ${existing.ImageId}, which had the name ${name} (--force; its snapshots are kept)`);
    const { home } = await this.session.clients();
    await ec2Call(`DeregisterImage ${existing.ImageId}`, () =>
      home.send(new DeregisterImageCommand({ ImageId: existing.ImageId }), { abortSignal: ctx.signal }),
    );
  }

  /**
   * The old image of that name cleared (--force), then register, wait until available,
   * share and deprecate, copy to each region (each copy shared and deprecated too).
   */
  async publish(input: PublishInput, ctx: StepContext): Promise<ImageResult> {
    const clients = await this.session.clients();
    const client = clients.home;
    const base = await lookUpBaseImage(client, { ref: input.finalize.baseImage.id }, ctx.signal);
    await this.clearName(input.name, ctx);
    const imageId = await this.register(client, base, input, ctx);
    ctx.progress(`image ${imageId} registering`);
    await waitForImage(client, imageId, clients.region, this.config.imageTimeoutMs, this.session.fresh, ctx.signal);
    await this.distribute(client, imageId, ctx.signal);
    const copies = await Promise.all(
      this.config.copyToRegions.map(async (region) => {
        const copyId = await copyImageTo(clients, region, imageId, input.name, this.config, this.session.fresh, ctx);
        await this.distribute(clients.forRegion(region), copyId, ctx.signal);
        return { id: copyId, region };
      }),
    );
    return {
      id: imageId,
      name: input.name,
      cloud: 'ec2',
      region: clients.region,
      tags: Object.fromEntries(input.tags.map((t) => [t.Key, t.Value])),
      copies: copies.length > 0 ? copies : undefined,
      ...(input.contents ? { contents: input.contents } : {}),
    };
  }

  private async existing(name: string, signal: AbortSignal): Promise<Image | undefined> {
    const { home } = await this.session.clients();
    const { Images = [] } = await ec2Call(`DescribeImages "${name}"`, () =>
      home.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }), { abortSignal: signal }),
    );
    return Images.find((i) => i.Name === name && i.State !== 'deregistered');
  }

  private async register(client: EC2Client, base: Image, input: PublishInput, ctx: StepContext): Promise<string> {
    const { package: pkg } = input.finalize;
    const registered = await ec2Call(`RegisterImage ${input.name}`, () =>
      client.send(
        new RegisterImageCommand({
          Name: input.name,
          Description: this.config.description ?? `${pkg.name} ${pkg.version}-${pkg.release} on ${base.Name ?? base.ImageId}`,
          Architecture: base.Architecture,
          RootDeviceName: base.RootDeviceName,
          BlockDeviceMappings: imageMappings(base, input.snapshotId, Math.ceil(input.sizeBytes / GiB)),
          VirtualizationType: 'hvm',
          EnaSupport: this.config.ena ?? base.EnaSupport,
          SriovNetSupport: this.config.sriov ? 'simple' : base.SriovNetSupport,
          BootMode: this.config.bootMode ?? base.BootMode,
          ImdsSupport: this.config.imdsSupport === 'v2.0' ? 'v2.0' : undefined,
          TpmSupport: this.config.tpm ? 'v2.0' : base.TpmSupport,
          TagSpecifications: [{ ResourceType: 'image', Tags: [...input.tags] }],
        }),
        unlessAbortedBefore(ctx.signal),
      ),
    );
    const id = registered.ImageId ?? '';
    this.session.fresh.created(id);
    ctx.cleanup.push({
      description: `deregister image ${id}`,
      when: 'on-failure',
      resource: { kind: 'image', id },
      manual: [['aws', 'ec2', 'deregister-image', '--image-id', id]],
      undo: () => removeImage(client, id, false, this.session.fresh),
    });
    return id;
  }

  /** Launch permissions and deprecation, for the image and each copy. */
  private async distribute(client: EC2Client, imageId: string, signal: AbortSignal): Promise<void> {
    const { fresh } = this.session;
    if (this.config.shareWith.length > 0) {
      const permissions = launchPermissions(this.config.shareWith);
      await ec2Call(`ModifyImageAttribute ${imageId} (share)`, () =>
        fresh.call(
          imageId,
          () => client.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: permissions } }), { abortSignal: signal }),
          signal,
        ),
      );
    }
    const { deprecateAt } = this.config;
    if (deprecateAt) {
      await ec2Call(`EnableImageDeprecation ${imageId}`, () =>
        fresh.call(
          imageId,
          () => client.send(new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt: new Date(deprecateAt) }), { abortSignal: signal }),
          signal,
        ),
      );
    }
  }
}

function nameTaken(name: string): AminatorError {
  return new AminatorError(`an image named "${name}" already exists in this account and region`, {
    code: Ec2ErrorCodes.IMAGE_EXISTS,
    exitCode: EXIT_USAGE,
    suggestions: ['pass --force to replace it, or choose another --suffix'],
  });
}
