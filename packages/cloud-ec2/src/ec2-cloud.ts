import { hostname } from 'node:os';
import {
  assertVolumeFits,
  BaseImages,
  EC2_SESSION,
  Ec2ErrorCodes,
  type Ec2Session,
  ec2Call,
  findAbandonedWorkingVolumes,
  isEc2Code,
  notFoundError,
  persistently,
  rootMapping,
  unlessAbortedBefore,
  WORKING_VOLUME_PURPOSE,
  waitFor,
} from '@aminator/aws-ec2';
import {
  AminatorError,
  type Attachment,
  type BakePlan,
  type BaseImage,
  CLOUD_CONFIG,
  type Cloud,
  type CloudVolume,
  InvalidInputError,
  inject,
  injectable,
  type Leftover,
  type LeftoverContext,
  LOCK_MANAGER,
  type LockManager,
  type PlanContext,
  type StepContext,
} from '@aminator/core';
import {
  AttachVolumeCommand,
  CreateVolumeCommand,
  DeleteVolumeCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  type EC2Client,
  type Volume,
} from '@aws-sdk/client-ec2';
import { DeviceSlots } from './device-slots.js';
import type { Ec2Config } from './ec2-config.js';

const GiB = 1024 ** 3;

/**
 * EBS working volumes on this instance: made from the base image's root snapshot, attached at a free
 * device name it locks, detached and deleted on every path.
 */
@injectable()
export class Ec2Cloud implements Cloud {
  private readonly bases: BaseImages;
  private readonly slots: DeviceSlots;

  constructor(
    @inject(CLOUD_CONFIG) private readonly config: Ec2Config,
    @inject(EC2_SESSION) private readonly session: Ec2Session,
    @inject(LOCK_MANAGER) locks: LockManager,
  ) {
    this.bases = new BaseImages(session, config);
    this.slots = new DeviceSlots(config, locks);
  }

  async preflight(plan: BakePlan): Promise<void> {
    assertVolumeFits(plan, this.config.volumeSize);
    if ((this.config.iops !== undefined || this.config.throughput !== undefined) && !['gp3', 'io1', 'io2'].includes(this.config.volumeType)) {
      throw new InvalidInputError('--iops/--throughput', `volume type ${this.config.volumeType} takes neither; use gp3 (or io1/io2 for iops)`);
    }
  }

  describePlan(plan: BakePlan): readonly string[] {
    const size = this.config.volumeSize ? `${this.config.volumeSize} GiB` : `${Math.ceil(plan.baseImage.sizeBytes / GiB)} GiB`;
    return [
      `cloud ec2: ${this.config.volumeType} volume of ${size}${this.config.encrypted ? ' (encrypted)' : ''} from ${plan.baseImage.id}'s root snapshot, ${this.slots.describe()}`,
    ];
  }

  resolveBaseImage(ref: string | undefined, ctx: PlanContext): Promise<BaseImage> {
    return this.bases.resolve(ref, ctx);
  }

  /** Device names EC2 says this instance has attached, so the slots skip them. */
  private async devicesInUse(ctx: StepContext): Promise<readonly string[]> {
    const [identity, clients] = await Promise.all([this.session.identity(), this.session.clients()]);
    const { Volumes = [] } = await ec2Call('DescribeVolumes (attached to this instance)', () =>
      clients.home.send(
        new DescribeVolumesCommand({
          Filters: [{ Name: 'attachment.instance-id', Values: [identity.instanceId] }],
        }),
        { abortSignal: ctx.signal },
      ),
    );
    return Volumes.flatMap((v) => (v.Attachments ?? []).map((a) => a.Device ?? '')).filter(Boolean);
  }

  async createVolume(base: BaseImage, ctx: StepContext): Promise<CloudVolume> {
    const [identity, clients] = await Promise.all([this.session.identity(), this.session.clients()]);
    const image = await this.bases.image(base, ctx.signal);
    const root = rootMapping(image);
    const sizeGiB = this.config.volumeSize ?? root.sizeGiB;
    const lease = this.session.leases.begin();
    const created = await ec2Call('CreateVolume', () =>
      clients.home.send(
        new CreateVolumeCommand({
          AvailabilityZone: identity.availabilityZone,
          SnapshotId: root.snapshotId,
          VolumeType: this.config.volumeType,
          Size: sizeGiB,
          Iops: this.config.iops,
          Throughput: this.config.throughput,
          Encrypted: this.config.encrypted || root.encrypted || undefined,
          KmsKeyId: this.config.kmsKeyId,
          TagSpecifications: [{ ResourceType: 'volume', Tags: [...workingVolumeTags(base.id, identity.instanceId, ctx.runId), lease.tag] }],
        }),
        unlessAbortedBefore(ctx.signal),
      ),
    );
    const id = created.VolumeId ?? '';
    this.session.fresh.created(id);
    lease.hold(id, ctx);
    ctx.cleanup.push({
      description: `delete volume ${id}`,
      resource: { kind: 'volume', id },
      manual: [
        ['aws', 'ec2', 'detach-volume', '--force', '--volume-id', id],
        ['aws', 'ec2', 'delete-volume', '--volume-id', id],
      ],
      undo: () => this.deleteVolume(clients.home, id),
    });
    ctx.progress(`volume ${id} (${sizeGiB} GiB ${this.config.volumeType}) creating`);
    await waitFor(
      () =>
        this.volumeState(clients.home, id, ctx.signal, (v) => {
          if (v.State === 'available') return true;
          if (v.State === 'error')
            throw new AminatorError(`volume ${id} went into state error`, {
              code: Ec2ErrorCodes.VOLUME_FAILED,
              suggestions: ['retry; if it persists, try another availability zone or volume type'],
            });
          return undefined;
        }),
      { what: `volume ${id} to become available`, timeoutMs: this.config.volumeTimeoutMs, signal: ctx.signal },
    );
    return { id, sizeBytes: sizeGiB * GiB, baseImageId: base.id };
  }

  async attachVolume(volume: CloudVolume, ctx: StepContext): Promise<Attachment> {
    const [identity, clients] = await Promise.all([this.session.identity(), this.session.clients()]);
    const device = await this.slots.claim(await this.devicesInUse(ctx), ctx);
    await ec2Call(`AttachVolume ${volume.id} at ${device}`, () =>
      this.session.fresh.call(
        volume.id,
        () =>
          clients.home.send(
            new AttachVolumeCommand({
              VolumeId: volume.id,
              InstanceId: identity.instanceId,
              Device: device,
            }),
            unlessAbortedBefore(ctx.signal),
          ),
        ctx.signal,
      ),
    );
    ctx.cleanup.push({
      description: `detach volume ${volume.id} from ${device}`,
      resource: { kind: 'attachment', id: `${volume.id}@${device}` },
      manual: [['aws', 'ec2', 'detach-volume', '--volume-id', volume.id]],
      undo: () => this.detachVolume(clients.home, volume.id),
    });
    ctx.progress(`attaching ${volume.id} at ${device}`);
    await waitFor(
      () =>
        this.volumeState(clients.home, volume.id, ctx.signal, (v) => {
          const attachment = v.Attachments?.find((a) => a.InstanceId === identity.instanceId);
          return attachment?.State === 'attached' ? true : undefined;
        }),
      {
        what: `volume ${volume.id} to attach at ${device}`,
        timeoutMs: this.config.attachTimeoutMs,
        signal: ctx.signal,
        suggestions: ['a stuck attachment is detached and the volume deleted; retry the bake', 'raise cloud.ec2.attachTimeoutMs on slow accounts'],
      },
    );
    return { volumeId: volume.id, device: await this.slots.waitForNode(volume.id, device, ctx) };
  }

  /**
   * Working volumes this instance's bakes tagged and that no live bake holds: detached if still
   * attached, then deleted. Volumes of other hosts are never listed.
   */
  async findLeftovers(ctx: LeftoverContext): Promise<readonly Leftover[]> {
    const [identity, clients] = await Promise.all([this.session.identity(), this.session.clients()]);
    const abandoned = await findAbandonedWorkingVolumes(clients.home, identity.instanceId, this.session.leases.terms, ctx);
    return abandoned.map(({ volume, runId, why }): Leftover => {
      const id = volume.VolumeId ?? '';
      const attached = (volume.Attachments ?? []).map((a) => `attached at ${a.Device}`).join(', ');
      return {
        phase: 'volumes',
        kind: 'volume',
        id,
        runId,
        reason: `working volume of run ${runId || '?'}: ${why}${attached ? `; ${attached}` : ''}`,
        reclaim: () => this.deleteVolume(clients.home, id),
      };
    });
  }

  /** One look at a volume inside a wait: undefined while a fresh volume is not visible yet. */
  private async volumeState<T>(client: EC2Client, id: string, signal: AbortSignal, judge: (v: Volume) => T | undefined): Promise<T | undefined> {
    const volume = await this.session.fresh.look(
      id,
      () => ec2Call(`DescribeVolumes ${id}`, () => describeVolume(client, id, signal)),
      () => new AminatorError(`volume ${id} disappeared`, { code: Ec2ErrorCodes.VOLUME_FAILED }),
    );
    return volume && judge(volume);
  }

  /** Detach and wait until the volume is free; a detach that does not finish is forced. */
  private async detachVolume(client: EC2Client, id: string): Promise<void> {
    const detached = (v: Volume): true | undefined => ((v.Attachments ?? []).length === 0 || v.State === 'available' ? true : undefined);
    const { fresh } = this.session;
    try {
      await fresh.call(id, () => persistently(() => client.send(new DetachVolumeCommand({ VolumeId: id }))));
    } catch (error) {
      if (isEc2Code(error, 'IncorrectState', 'InvalidVolume.NotFound', 'InvalidAttachment.NotFound')) return;
      throw error;
    }
    const never = new AbortController().signal;
    try {
      await waitFor(() => persistently(() => this.volumeState(client, id, never, detached)), {
        what: `volume ${id} to detach`,
        timeoutMs: this.config.attachTimeoutMs / 2,
        signal: never,
      });
    } catch {
      await persistently(() => client.send(new DetachVolumeCommand({ VolumeId: id, Force: true })));
      await waitFor(() => persistently(() => this.volumeState(client, id, never, detached)), {
        what: `volume ${id} to detach (forced)`,
        timeoutMs: this.config.attachTimeoutMs / 2,
        signal: never,
      });
    }
  }

  /**
   * Cleanup: detach if attached, then delete. A volume this bake just made may not be visible yet:
   * NotFound is tried again until it shows or the consistency window has passed (then it never existed).
   */
  private async deleteVolume(client: EC2Client, id: string): Promise<void> {
    const { fresh } = this.session;
    try {
      const volume = await fresh.call(id, () =>
        persistently(async () => (await describeVolume(client, id)) ?? Promise.reject(notFoundError('InvalidVolume.NotFound', id))),
      );
      if ((volume.Attachments ?? []).length > 0) await this.detachVolume(client, id);
      await fresh.call(id, () => persistently(() => client.send(new DeleteVolumeCommand({ VolumeId: id }))));
    } catch (error) {
      if (isEc2Code(error, 'InvalidVolume.NotFound')) return;
      throw error;
    }
  }
}

async function describeVolume(client: EC2Client, id: string, signal?: AbortSignal): Promise<Volume | undefined> {
  const { Volumes = [] } = await client.send(new DescribeVolumesCommand({ VolumeIds: [id] }), { abortSignal: signal });
  return Volumes[0];
}

export function workingVolumeTags(baseImageId: string, instanceId: string, runId: string): Array<{ Key: string; Value: string }> {
  return Object.entries({
    Name: `aminator ${runId}`,
    purpose: WORKING_VOLUME_PURPOSE,
    status: 'building',
    base_ami_id: baseImageId,
    host: instanceId,
    hostname: hostname(),
    pid: String(process.pid),
    run_id: runId,
  }).map(([Key, Value]) => ({ Key, Value }));
}
