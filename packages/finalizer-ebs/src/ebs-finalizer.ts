import {
  AmiFinalizer,
  deleteSnapshot,
  EC2_SESSION,
  type Ec2Session,
  ec2Call,
  markWorkingVolumeFinalized,
  unlessAbortedBefore,
  waitForSnapshot,
} from '@aminator/aws-ec2';
import {
  FINALIZER_CONFIG,
  type FinalizeInput,
  type ImageResult,
  inject,
  injectable,
  type Leftover,
  type LeftoverContext,
  type StepContext,
} from '@aminator/core';
import { CreateSnapshotCommand, type EC2Client, type Tag } from '@aws-sdk/client-ec2';
import type { EbsConfig } from './ebs-config.js';
import { findUnfinishedImages } from './unfinished-images.js';

/**
 * Snapshot the baked volume (after teardown unmounted it) with CreateSnapshot, then register the AMI
 * through the shared AmiPublisher. Everything it creates is pushed `on-failure`, so a later failure
 * removes it and success keeps it.
 */
@injectable()
export class EbsFinalizer extends AmiFinalizer {
  protected readonly planWords = { name: 'ebs', snapshot: 'snapshot' };

  constructor(
    @inject(FINALIZER_CONFIG) private readonly config: EbsConfig,
    @inject(EC2_SESSION) session: Ec2Session,
  ) {
    super(config, session);
  }

  async finalize(input: FinalizeInput, ctx: StepContext): Promise<ImageResult> {
    const clients = await this.session.clients();
    const name = this.publisher.nameOf(input.package);
    await this.publisher.checkName(name, ctx);
    const { tags, contents } = await this.publisher.tags(input, name, ctx);
    const snapshotId = await this.snapshot(clients.home, input, name, tags, ctx);
    const image = await this.publisher.publish({ finalize: input, name, tags, snapshotId, sizeBytes: input.volume.sizeBytes, contents }, ctx);
    // Reported as baked only once marked: unmarked, a crash before cleanup would let `aminate cleanup`
    // take the image for a dead run's; a failure here fails the bake and unwinds what it made.
    await markWorkingVolumeFinalized(clients.home, input.volume.id, image.id);
    return image;
  }

  /** Snapshots and images of working volumes whose bake died before its image was complete. */
  async findLeftovers(ctx: LeftoverContext): Promise<readonly Leftover[]> {
    const [identity, clients] = await Promise.all([this.session.identity(), this.session.clients()]);
    return findUnfinishedImages(clients.home, identity.instanceId, this.session, ctx);
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
}
