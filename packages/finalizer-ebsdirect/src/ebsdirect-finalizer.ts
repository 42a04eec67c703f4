import {
  AmiFinalizer,
  changedBlocks,
  DIRECT_SNAPSHOT_OWN_TAGS,
  DIRECT_VOLUMES,
  type DirectVolumes,
  EBS_BLOCK_BYTES,
  EC2_SESSION,
  type Ec2Session,
  findUnfinishedDirectSnapshots,
  markDirectSnapshotFinalized,
  writeSnapshot,
} from '@aminator/aws-ec2';
import {
  AminatorError,
  ErrorCodes,
  EXIT_USAGE,
  FINALIZER_CONFIG,
  type FinalizeInput,
  type ImageResult,
  inject,
  injectable,
  type Leftover,
  type LeftoverContext,
  type StepContext,
} from '@aminator/core';
import type { EbsDirectFinalizerConfig } from './ebsdirect-finalizer-config.js';

/**
 * The new root snapshot written with EBS direct: only the 512 KiB blocks of the working copy that
 * differ from its parent, as a child of that parent; then the AMI registered through the shared
 * AmiPublisher, exactly as the ebs finalizer registers it.
 */
@injectable()
export class EbsDirectFinalizer extends AmiFinalizer {
  protected readonly planWords = { name: 'ebsdirect', snapshot: 'write the changed blocks as a child of the base snapshot' };
  protected override readonly ownSnapshotTags = DIRECT_SNAPSHOT_OWN_TAGS;

  constructor(
    @inject(FINALIZER_CONFIG) private readonly config: EbsDirectFinalizerConfig,
    @inject(EC2_SESSION) session: Ec2Session,
    @inject(DIRECT_VOLUMES) private readonly volumes: DirectVolumes,
  ) {
    super(config, session);
  }

  async finalize(input: FinalizeInput, ctx: StepContext): Promise<ImageResult> {
    const volume = this.volumes.get(input.volume.id);
    if (!volume) {
      throw new AminatorError(`volume ${input.volume.id} is not an EBS direct working copy of this bake`, {
        code: ErrorCodes.PLUGIN_PAIRING,
        exitCode: EXIT_USAGE,
        suggestions: ['finalizer ebsdirect works with cloud ebsdirect: use the ebsdirect_* environments'],
      });
    }
    const name = this.publisher.nameOf(input.package);
    await this.publisher.checkName(name, ctx);
    const { tags, contents } = await this.publisher.tags(input, name, ctx);
    ctx.progress('comparing the working copy with its parent');
    const changed = changedBlocks(volume);
    ctx.log.info(
      `${changed.indexes.length} of ${changed.total} blocks changed (${Math.round((changed.indexes.length * EBS_BLOCK_BYTES) / 1024 ** 2)} MiB to write); parent ${volume.parent.snapshotId}`,
    );
    const snapshotId = await writeSnapshot(
      this.session,
      volume,
      changed,
      {
        concurrency: this.config.concurrency,
        timeoutMinutes: this.config.snapshotWriteTimeoutMinutes,
        snapshotTimeoutMs: this.config.snapshotTimeoutMs,
        description: `aminate ${name}`,
        tags,
      },
      ctx,
    );
    const image = await this.publisher.publish({ finalize: input, name, tags, snapshotId, sizeBytes: volume.sizeBytes, contents }, ctx);
    // Reported as baked only once marked: a `building` snapshot is what `aminate cleanup` reclaims (with
    // its image) once the run is gone, so a failure here fails the bake and unwinds what it made.
    await markDirectSnapshotFinalized(this.session, snapshotId, image.id);
    return image;
  }

  async findLeftovers(ctx: LeftoverContext): Promise<readonly Leftover[]> {
    const clients = await this.session.clients();
    return findUnfinishedDirectSnapshots(clients.home, this.session.leases.terms, ctx);
  }
}
