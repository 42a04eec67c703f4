import { hostname, userInfo } from 'node:os';
import {
  EC2_SESSION,
  type Ec2Clients,
  Ec2ErrorCodes,
  type Ec2Session,
  ec2Call,
  lookUpBaseImage,
  markWorkingVolumeFinalized,
  unlessAbortedBefore,
} from '@aminator/cloud-ec2';
import {
  AminatorError,
  type BakePlan,
  FINALIZER_CONFIG,
  type FinalizeInput,
  type Finalizer,
  type ImageResult,
  imageName,
  type Leftover,
  type LeftoverContext,
  type PlanContext,
  parseTags,
  type StepContext,
} from '@aminator/core';
import {
  CreateSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  type EC2Client,
  EnableImageDeprecationCommand,
  type Image,
  ModifyImageAttributeCommand,
  RegisterImageCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { inject, injectable } from 'tsyringe';
import { amiName } from './ami-name.js';
import { imageMappings } from './block-device-mappings.js';
import type { EbsConfig } from './ebs-config.js';
import { copyImageTo } from './image-copies.js';
import { deleteSnapshot, removeImage } from './image-removal.js';
import { waitForImage, waitForSnapshot } from './image-waits.js';
import { launchPermissions } from './launch-permissions.js';
import { findUnfinishedImages } from './unfinished-images.js';

const GiB = 1024 ** 3;

/**
 * Snapshot the baked volume (after teardown unmounted it), register the AMI with the base image's
 * mappings and attributes, tag, share, deprecate and copy it. Everything it creates is pushed
 * `on-failure`, so a later failure removes it and success keeps it.
 */
@injectable()
export class EbsFinalizer implements Finalizer {
  constructor(
    @inject(FINALIZER_CONFIG) private readonly config: EbsConfig,
    @inject(EC2_SESSION) private readonly session: Ec2Session,
  ) {}

  /** Tags and deprecation time checked; when the spec names its version, the name is checked for collisions now, before any volume. */
  async preflight(plan: BakePlan, ctx: PlanContext): Promise<void> {
    parseTags(this.config.tags);
    if (this.config.deprecateAt && Date.parse(this.config.deprecateAt) <= Date.now()) {
      throw new AminatorError(`--deprecate-at ${this.config.deprecateAt} is in the past`, { code: 'E_INVALID_INPUT', exitCode: 2 });
    }
    if (ctx.dryRun || !plan.spec.name || !plan.spec.version) return;
    const [version, release = ''] = plan.spec.version.split(/-(?=[^-]*$)/);
    const name = amiName(
      imageName(
        { name: plan.spec.name, version: version ?? '', release, arch: plan.baseImage.architecture === 'arm64' ? 'arm64' : 'amd64' },
        this.config.suffix,
      ),
    );
    if (this.config.suffix && !this.config.forceDeregister && (await this.existing(await this.session.clients(), name, ctx.signal))) throw nameTaken(name);
  }

  describePlan(plan: BakePlan): readonly string[] {
    const extra = [
      this.config.shareWith.length > 0 ? `share with ${this.config.shareWith.join(', ')}` : '',
      this.config.copyToRegions.length > 0 ? `copy to ${this.config.copyToRegions.join(', ')}` : '',
      this.config.deprecateAt ? `deprecate at ${this.config.deprecateAt}` : '',
    ].filter(Boolean);
    return [
      `finalizer ebs: snapshot, register {name}-{version}-{release}-{arch}-${this.config.suffix ?? 'YYYYMMDDHHmm'} with ${plan.baseImage.id}'s mappings${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`,
    ];
  }

  async finalize(input: FinalizeInput, ctx: StepContext): Promise<ImageResult> {
    const clients = await this.session.clients();
    const client = clients.home;
    const name = amiName(imageName(input.package, this.config.suffix));
    await this.clearName(clients, name, ctx);
    const base = await lookUpBaseImage(client, { ref: input.baseImage.id }, ctx.signal);
    const tags = this.tags(input);
    const snapshotId = await this.snapshot(client, input, name, tags, ctx);
    const imageId = await this.register(client, base, snapshotId, input.volume.sizeBytes, name, input, tags, ctx);
    ctx.progress(`image ${imageId} registering`);
    await waitForImage(client, imageId, clients.region, this.config.imageTimeoutMs, this.session.fresh, ctx.signal);
    await this.distribute(client, imageId, ctx.signal);
    const copies = await Promise.all(
      this.config.copyToRegions.map(async (region) => {
        const copyId = await copyImageTo(clients, region, imageId, name, this.config, this.session.fresh, ctx);
        await this.distribute(clients.forRegion(region), copyId, ctx.signal);
        return { id: copyId, region };
      }),
    );
    await markWorkingVolumeFinalized(client, input.volume.id, imageId).catch((error: unknown) => {
      // The image is complete; the mark only matters if this process is killed before the volume is deleted.
      ctx.log.warn(
        `could not tag ${input.volume.id} status=finalized (${(error as Error).message}); a crash before cleanup would let \`aminate cleanup\` remove ${imageId}`,
      );
    });
    return {
      id: imageId,
      name,
      cloud: 'ec2',
      region: clients.region,
      tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
      copies: copies.length > 0 ? copies : undefined,
    };
  }

  /** Snapshots and images of working volumes whose bake died before its image was complete. */
  async findLeftovers(ctx: LeftoverContext): Promise<readonly Leftover[]> {
    const [identity, clients] = await Promise.all([this.session.identity(), this.session.clients()]);
    return findUnfinishedImages(clients.home, identity.instanceId, this.session.fresh.windowMs, ctx);
  }

  private async clearName(clients: Ec2Clients, name: string, ctx: StepContext): Promise<void> {
    const existing = await this.existing(clients, name, ctx.signal);
    if (!existing) return;
    if (!this.config.forceDeregister) throw nameTaken(name);
    ctx.log.warn(`deregistering ${existing.ImageId}, which had the name ${name} (--force-deregister; its snapshots are kept)`);
    await ec2Call(`DeregisterImage ${existing.ImageId}`, () =>
      clients.home.send(new DeregisterImageCommand({ ImageId: existing.ImageId }), { abortSignal: ctx.signal }),
    );
  }

  private async existing(clients: Ec2Clients, name: string, signal: AbortSignal): Promise<Image | undefined> {
    const { Images = [] } = await ec2Call(`DescribeImages "${name}"`, () =>
      clients.home.send(
        new DescribeImagesCommand({
          Owners: ['self'],
          Filters: [{ Name: 'name', Values: [name] }],
        }),
        { abortSignal: signal },
      ),
    );
    return Images.find((i) => i.Name === name && i.State !== 'deregistered');
  }

  private async snapshot(client: EC2Client, input: FinalizeInput, name: string, tags: Tag[], ctx: StepContext): Promise<string> {
    const created = await ec2Call(`CreateSnapshot of ${input.volume.id}`, () =>
      client.send(
        new CreateSnapshotCommand({
          VolumeId: input.volume.id,
          Description: `aminate ${name}`,
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags }],
        }),
        unlessAbortedBefore(ctx.signal),
      ),
    );
    const id = created.SnapshotId ?? '';
    this.session.fresh.created(id);
    ctx.cleanup.push({
      description: `delete snapshot ${id}`,
      when: 'on-failure',
      resource: { kind: 'snapshot', id },
      manual: [['aws', 'ec2', 'delete-snapshot', '--snapshot-id', id]],
      undo: () => deleteSnapshot(client, id, this.session.fresh),
    });
    await waitForSnapshot(client, id, this.config.snapshotTimeoutMs, this.session.fresh, ctx.signal, ctx.progress);
    return id;
  }

  private async register(
    client: EC2Client,
    base: Image,
    snapshotId: string,
    sizeBytes: number,
    name: string,
    input: FinalizeInput,
    tags: Tag[],
    ctx: StepContext,
  ): Promise<string> {
    const { package: pkg } = input;
    const registered = await ec2Call(`RegisterImage ${name}`, () =>
      client.send(
        new RegisterImageCommand({
          Name: name,
          Description: this.config.description ?? `${pkg.name} ${pkg.version}-${pkg.release} on ${base.Name ?? base.ImageId}`,
          Architecture: base.Architecture,
          RootDeviceName: base.RootDeviceName,
          BlockDeviceMappings: imageMappings(base, snapshotId, Math.ceil(sizeBytes / GiB)),
          VirtualizationType: 'hvm',
          EnaSupport: this.config.ena ?? base.EnaSupport,
          SriovNetSupport: this.config.sriov ? 'simple' : base.SriovNetSupport,
          BootMode: this.config.bootMode ?? base.BootMode,
          ImdsSupport: this.config.imdsSupport === 'v2.0' ? 'v2.0' : undefined,
          TpmSupport: this.config.tpm ? 'v2.0' : base.TpmSupport,
          TagSpecifications: [{ ResourceType: 'image', Tags: tags }],
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
      await ec2Call(`ModifyImageAttribute ${imageId} (share)`, () =>
        fresh.call(
          imageId,
          () =>
            client.send(
              new ModifyImageAttributeCommand({
                ImageId: imageId,
                LaunchPermission: { Add: launchPermissions(this.config.shareWith) },
              }),
              { abortSignal: signal },
            ),
          signal,
        ),
      );
    }
    if (this.config.deprecateAt) {
      await ec2Call(`EnableImageDeprecation ${imageId}`, () =>
        fresh.call(
          imageId,
          () =>
            client.send(
              new EnableImageDeprecationCommand({
                ImageId: imageId,
                DeprecateAt: new Date(this.config.deprecateAt as string),
              }),
              { abortSignal: signal },
            ),
          signal,
        ),
      );
    }
  }

  private tags(input: FinalizeInput): Tag[] {
    const { package: pkg, baseImage } = input;
    const all = {
      ...parseTags(this.config.tags),
      appversion: `${pkg.name}-${pkg.version}-${pkg.release}`,
      base_ami_id: baseImage.id,
      base_ami_name: baseImage.name.slice(0, 256),
      creator: this.config.creator ?? `${userInfo().username}@${hostname()}`,
      creation_time: new Date().toISOString(),
    };
    return Object.entries(all).map(([Key, Value]) => ({ Key, Value }));
  }
}

function nameTaken(name: string): AminatorError {
  return new AminatorError(`an image named "${name}" already exists in this account and region`, {
    code: Ec2ErrorCodes.IMAGE_EXISTS,
    exitCode: 2,
    suggestions: ['pass --force-deregister to replace it, or choose another --suffix'],
  });
}
