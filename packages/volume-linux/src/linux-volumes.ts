import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  AminatorError,
  type BakePlan,
  COMMAND_RUNNER,
  type CommandRunner,
  inject,
  injectable,
  type Leftover,
  type LeftoverContext,
  type MountedVolume,
  type PlanContext,
  type StepContext,
  VOLUME_CONFIG,
  type VolumeManager,
} from '@aminator/core';
import {
  attachLoopForStep,
  blockDeviceBytes,
  blockSysfsDir,
  chooseRootPartition,
  extFileSystemBytes,
  filesystemType,
  findWorkRootLeftovers,
  flushBlockDevice,
  HostTools,
  LinuxErrorCodes,
  loopGeometry,
  Mounter,
  type Partition,
  type PartitionTable,
  partitionByteRange,
  readPartitionTable,
  requireHostTools,
  wholeFileOfLoop,
} from '@aminator/linux-host';
import { NOBARRIER_FS, SUPPORTED_FS, type VolumeConfig } from './volume-config.js';

const GROWPART_NOCHANGE = 1;
/** growpart leaves a 1 MiB fudge and GPT keeps a backup table at the end: less than this is nothing to grow. */
const GROW_THRESHOLD_BYTES = 2 * 1024 * 1024;

/**
 * From a block device to a mounted root file system: whole disk or partition (the kernel's node where
 * it exists, else a loop device at the partition's offset), grown when the volume is larger, mounted
 * under the bake's work directory; every step undone in reverse.
 */
@injectable()
export class LinuxVolumes implements VolumeManager {
  private readonly mounter: Mounter;

  constructor(
    @inject(VOLUME_CONFIG) private readonly config: VolumeConfig,
    @inject(COMMAND_RUNNER) private readonly commands: CommandRunner,
  ) {
    this.mounter = new Mounter(commands);
  }

  async preflight(_plan: BakePlan, ctx: PlanContext): Promise<void> {
    // The grow tools are asked for where they run: only a volume bigger than its base needs them,
    // and only an xfs root needs xfs_growfs.
    requireHostTools([HostTools.blkid, HostTools.sfdisk, HostTools.losetup, HostTools.mount], { needsRoot: !ctx.dryRun });
  }

  describePlan(): readonly string[] {
    const where = this.config.partition ? `partition ${this.config.partition}` : 'the root partition (detected) or the whole disk';
    const barriers = this.config.writeBarriers ? '' : ' (ext3/ext4 without write barriers; the device is flushed once unmounted)';
    return [`volume linux: mount ${where}${this.config.grow ? ', growing it to fill the volume' : ''}${barriers}`];
  }

  /** Mounts (and processes holding them) under the work root of bakes that are gone. */
  findLeftovers(ctx: LeftoverContext): Promise<readonly Leftover[]> {
    return findWorkRootLeftovers(ctx);
  }

  async mount(devicePath: string, ctx: StepContext): Promise<MountedVolume> {
    const table = await readPartitionTable(this.commands, devicePath);
    const fsDevice = table ? await this.partitionDevice(devicePath, table, ctx) : { node: devicePath, partition: undefined };
    const partition = fsDevice.partition;
    const fsType = await this.fsType(fsDevice.node, ctx.signal);
    if (this.config.grow && fsType !== 'xfs') await this.growExtOffline(fsDevice.node, ctx);
    const root = join(ctx.workDir, 'root');
    await mkdir(root, { mode: 0o755 });
    ctx.cleanup.push({ description: `remove ${root}`, resource: { kind: 'directory', id: root }, manual: [['rmdir', root]], undo: () => rmdir(root) });
    const options = this.mountOptions(fsType);
    await this.mounter.mount(['-t', fsType, ...(options.length > 0 ? ['-o', options.join(',')] : []), fsDevice.node, root], ctx.signal);
    ctx.cleanup.push({
      description: `unmount ${root}`,
      resource: { kind: 'mount', id: root },
      manual: [['umount', root]],
      undo: async () => {
        await this.mounter.unmountTree(root, { retryMs: this.config.unmountRetryMs });
        // The durability point of the bake's writes (with or without barriers): nothing keeps the
        // volume before this — a snapshot, a detach, the local store's move.
        await flushBlockDevice(fsDevice.node);
      },
    });
    if (this.config.grow && fsType === 'xfs') await this.growXfs(root, ctx);
    return { root, device: fsDevice.node, fsType, partition: partition?.number };
  }

  /**
   * The root partition's device: the kernel's node when the kernel knows the partition with this very
   * geometry, else a loop device at its offset. Decided before growing, so that on a kernel without
   * partition nodes growpart is told not to create any (they would outlive the bake).
   */
  private async partitionDevice(device: string, table: PartitionTable, ctx: StepContext): Promise<{ node: string; partition: Partition }> {
    let partition = chooseRootPartition(table, this.config.partition);
    let known: string | undefined;
    for (const node of partitionNodes(device, partition.number)) {
      if (await kernelKnows(node, device, table, partition)) {
        known = node;
        break;
      }
    }
    if (this.config.grow && (await this.roomAfter(device, table, partition)) > GROW_THRESHOLD_BYTES) {
      partition = await this.growPartition(device, partition, known !== undefined && !isLoop(known), ctx);
    }
    if (known && (await kernelKnows(known, device, table, partition))) return { node: known, partition };
    return { node: await this.partitionLoop(device, table, partition, ctx), partition };
  }

  private async growPartition(device: string, partition: Partition, updateKernel: boolean, ctx: StepContext): Promise<Partition> {
    requireHostTools([HostTools.growpart]);
    const grown = await this.commands.run('growpart', ['--update', updateKernel ? 'auto' : 'off', device, String(partition.number)], {
      okExitCodes: [0, GROWPART_NOCHANGE],
      signal: ctx.signal,
      timeoutMs: 120_000,
    });
    if (grown.exitCode === GROWPART_NOCHANGE) return partition;
    ctx.log.info(`grew partition ${partition.number} of ${device}`);
    const after = await readPartitionTable(this.commands, device);
    return after ? chooseRootPartition(after, partition.number) : partition;
  }

  /** Bytes of the disk after the partition's end: most bakes use the base image's size, leaving none. */
  private async roomAfter(device: string, table: PartitionTable, partition: Partition): Promise<number> {
    return (await blockDeviceBytes(this.commands, device)) - (partition.start + partition.size) * table.sectorSize;
  }

  /** A loop device over the partition's byte range; released in teardown. */
  private async partitionLoop(device: string, table: PartitionTable, partition: Partition, ctx: StepContext): Promise<string> {
    const over = (await wholeFileOfLoop(this.commands, device, ctx.signal)) ?? device;
    const loop = await attachLoopForStep(this.commands, over, ctx, {
      ...partitionByteRange(table, partition),
      what: `partition ${partition.number} of ${device}`,
    });
    return loop;
  }

  /** The configured options, and `nobarrier` where the file system takes it and none was chosen. */
  private mountOptions(fsType: string): string[] {
    const chosen = this.config.mountOptions;
    const decided = chosen.some((o) => /^(no)?barrier(=|$)/.test(o));
    return this.config.writeBarriers || decided || !NOBARRIER_FS.includes(fsType) ? [...chosen] : [...chosen, 'nobarrier'];
  }

  private async fsType(device: string, signal: AbortSignal): Promise<string> {
    const type = await filesystemType(this.commands, device, signal);
    if ((SUPPORTED_FS as readonly string[]).includes(type)) return type;
    throw new AminatorError(`${device} holds ${type ? `a ${type} file system` : 'no file system aminate recognises'}; supported: ${SUPPORTED_FS.join(', ')}`, {
      code: LinuxErrorCodes.UNSUPPORTED_FS,
      suggestions: ['check --partition (or volume.linux.partition) names the root partition'],
    });
  }

  /**
   * ext2/3/4 are grown before mounting: offline resize needs no CAP_SYS_RESOURCE (some build hosts
   * drop it) and e2fsck runs only when there is something to grow.
   */
  private async growExtOffline(device: string, ctx: StepContext): Promise<void> {
    const deviceBytes = await blockDeviceBytes(this.commands, device);
    const fsBytes = (await extFileSystemBytes(device)) ?? deviceBytes;
    if (deviceBytes - fsBytes < GROW_THRESHOLD_BYTES) return;
    requireHostTools([HostTools.e2fsck, HostTools.resize2fs]);
    ctx.progress(`growing the file system on ${device} from ${fsBytes} to ${deviceBytes} bytes`);
    // e2fsck exits 1 when it fixed something, which is fine before a resize.
    await this.commands.run('e2fsck', ['-f', '-p', device], { okExitCodes: [0, 1], signal: ctx.signal, timeoutMs: 1_800_000 });
    await this.commands.run('resize2fs', [device], { signal: ctx.signal, timeoutMs: 1_800_000 });
  }

  /** xfs only grows mounted. */
  private async growXfs(root: string, ctx: StepContext): Promise<void> {
    requireHostTools([HostTools.xfsGrowfs]);
    const result = await this.commands.run('xfs_growfs', [root], { signal: ctx.signal, timeoutMs: 600_000 });
    ctx.log.debug(`xfs_growfs: ${result.stdout.trim()}`);
  }
}

/** Where a partition's node is: `/dev/xvdf1`, `/dev/nvme1n1p1`, or udev's `…-part1` next to a by-id link. */
function partitionNodes(device: string, number: number): string[] {
  return [`${device}${/\d$/.test(basename(device)) ? 'p' : ''}${number}`, `${device}-part${number}`];
}

function isLoop(node: string): boolean {
  return existsSync(join(blockSysfsDir(node), 'loop'));
}

/**
 * The node covers exactly the partition's byte range of this disk: a kernel partition of the disk
 * (sysfs counts 512-byte units), or a loop device over the disk's backing file at the partition's
 * offset — how hosts without partition scanning present partitions.
 */
async function kernelKnows(node: string, disk: string, table: PartitionTable, partition: Partition): Promise<boolean> {
  try {
    if (!existsSync(node) || !statSync(node).isBlockDevice()) return false;
    const sys = blockSysfsDir(node);
    if (existsSync(join(sys, 'partition'))) {
      const read = (file: string): string => readFileSync(join(sys, file), 'utf8').trim();
      const scale = table.sectorSize / 512;
      const parent = basename(dirname(realpathSync(sys)));
      return parent === basename(realpathSync(disk)) && Number(read('start')) === partition.start * scale && Number(read('size')) === partition.size * scale;
    }
    const [loop, diskLoop] = await Promise.all([loopGeometry(node), loopGeometry(disk)]);
    return (
      loop !== undefined &&
      diskLoop !== undefined &&
      loop.backingFile === diskLoop.backingFile &&
      loop.offset === partition.start * table.sectorSize &&
      loop.sizeLimit === partition.size * table.sectorSize
    );
  } catch {
    return false;
  }
}
