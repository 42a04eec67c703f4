import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertVolumeFits,
  BaseImages,
  DIRECT_VOLUMES,
  type DirectVolumes,
  EC2_SESSION,
  type Ec2Session,
  findFailedBaseCopies,
  readableBaseSnapshot,
  rootMapping,
  SnapshotCache,
} from '@aminator/aws-ec2';
import {
  type Attachment,
  type BakePlan,
  type BaseImage,
  CLOUD_CONFIG,
  type Cloud,
  type CloudVolume,
  COMMAND_RUNNER,
  type CommandRunner,
  inject,
  injectable,
  isRunId,
  type Leftover,
  type LeftoverContext,
  type PlanContext,
  removeFileIfPresent,
  type StepContext,
} from '@aminator/core';
import { attachLoopForStep, copyDiskFile, HostTools, listLoops, loopLeftover, loopReads, requireHostTools, withStackedLoops } from '@aminator/linux-host';
import type { EbsDirectConfig } from './ebsdirect-config.js';

const GiB = 1024 ** 3;
const WORKING_FILE = /^vol-([0-9a-f]+)\.raw$/;

/**
 * EBS direct mode: no instance and no EBS volume. The base AMI's root snapshot is read once into a
 * cache on this host (copied into the account first when EBS direct may not read it), the bake works
 * on a sparse copy of the cached blocks attached as a loop device, and the finalizer writes back only
 * the blocks that changed.
 */
@injectable()
export class EbsDirectCloud implements Cloud {
  private readonly bases: BaseImages;
  private readonly cache: SnapshotCache;

  constructor(
    @inject(CLOUD_CONFIG) private readonly config: EbsDirectConfig,
    @inject(EC2_SESSION) private readonly session: Ec2Session,
    @inject(DIRECT_VOLUMES) private readonly volumes: DirectVolumes,
    @inject(COMMAND_RUNNER) private readonly commands: CommandRunner,
  ) {
    this.cache = new SnapshotCache(config.cacheDir, config.concurrency, config.cacheMaxGiB * 1024 ** 3);
    this.bases = new BaseImages(session, config);
  }

  private get workingDir(): string {
    return join(this.config.cacheDir, 'work');
  }

  async preflight(plan: BakePlan, ctx: PlanContext): Promise<void> {
    requireHostTools([HostTools.losetup, HostTools.cp], { needsRoot: !ctx.dryRun });
    assertVolumeFits(plan, this.config.volumeSize);
  }

  describePlan(plan: BakePlan): readonly string[] {
    const size = this.config.volumeSize ?? Math.ceil(plan.baseImage.sizeBytes / GiB);
    return [
      `cloud ebsdirect: ${plan.baseImage.id}'s root snapshot read with EBS direct into ${this.config.cacheDir} (once; copied into the account first if public or not ours), a ${size} GiB sparse copy attached as a loop device`,
    ];
  }

  resolveBaseImage(ref: string | undefined, ctx: PlanContext): Promise<BaseImage> {
    return this.bases.resolve(ref, ctx);
  }

  async createVolume(base: BaseImage, ctx: StepContext): Promise<CloudVolume> {
    const clients = await this.session.clients();
    const image = await this.bases.image(base, ctx.signal);
    const root = rootMapping(image);
    const parent = await readableBaseSnapshot(
      this.session,
      root.snapshotId,
      { encrypted: this.config.encrypted, kmsKeyId: this.config.kmsKeyId, copyTimeoutMs: this.config.copyTimeoutMs },
      ctx,
      this.cache,
    );
    const cached = await this.cache.ensure(clients.ebs, parent.snapshotId, ctx, parent.directParent);
    const sizeGiB = Math.max(this.config.volumeSize ?? root.sizeGiB, cached.sizeGiB);
    const id = `vol-${ctx.runId}`;
    mkdirSync(this.workingDir, { recursive: true, mode: 0o700 });
    const file = join(this.workingDir, `${id}.raw`);
    ctx.cleanup.push({
      description: `delete working copy ${file}`,
      resource: { kind: 'volume', id: file },
      manual: [['rm', '-f', file]],
      undo: () => removeFileIfPresent(file),
    });
    ctx.progress(`copying the cached ${parent.snapshotId} to ${file}`);
    await copyDiskFile(this.commands, cached.file, file, { sizeBytes: sizeGiB * GiB, signal: ctx.signal });
    this.volumes.add({ id, file, sizeBytes: sizeGiB * GiB, parent: cached });
    return { id, sizeBytes: sizeGiB * GiB, baseImageId: base.id };
  }

  async attachVolume(volume: CloudVolume, ctx: StepContext): Promise<Attachment> {
    return { volumeId: volume.id, device: await attachLoopForStep(this.commands, join(this.workingDir, `${volume.id}.raw`), ctx) };
  }

  /** Loop devices over and working copies of dead runs, half-written cache files, and base copies that failed. */
  async findLeftovers(ctx: LeftoverContext): Promise<readonly Leftover[]> {
    const dead: string[] = [];
    if (existsSync(this.workingDir)) {
      for (const name of readdirSync(this.workingDir)) {
        const runId = WORKING_FILE.exec(name)?.[1] ?? '';
        if (isRunId(runId) && !(await ctx.runs.isAlive(runId))) dead.push(join(this.workingDir, name));
      }
    }
    const files = new Set(dead);
    const all = await listLoops();
    const loops = withStackedLoops(
      all,
      all.filter((l) => [...files].some((file) => loopReads(l, file))),
    );
    return [
      ...loops.map((loop) => loopLeftover(loop, `backed by ${loop.backFile}, the working copy of a bake that is not running`, ctx.commands)),
      ...dead.map(
        (file): Leftover => ({
          phase: 'volumes',
          kind: 'volume',
          id: file,
          reason: 'working copy of a bake that is not running',
          reclaim: () => removeFileIfPresent(file),
        }),
      ),
      ...(await this.cache.findLeftovers(ctx)),
      ...(await findFailedBaseCopies((await this.session.clients()).home, ctx)),
    ];
  }
}
