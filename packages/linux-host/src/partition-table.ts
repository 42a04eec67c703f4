import { readFile, stat } from 'node:fs/promises';
import type { CommandRunner } from '@aminator/core';
import { AminatorError } from '@aminator/core';
import { deviceNumbers } from './chroot-dev.js';
import { LinuxErrorCodes } from './errors.js';
import { readGpt } from './gpt-table.js';

export interface Partition {
  readonly number: number;
  /** Sector offset and length (in `sectorSize` units). */
  readonly start: number;
  readonly size: number;
  readonly type: string;
}

export interface PartitionTable {
  readonly label: 'gpt' | 'dos';
  readonly sectorSize: number;
  readonly partitions: readonly Partition[];
}

/** GPT type GUIDs (upper case) and MBR type codes of interest. */
export const PartitionTypes = {
  linuxFilesystem: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
  rootX86_64: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709',
  rootArm64: 'B921B045-1DF0-41C3-AF44-4C6F280D3FAE',
  mbrLinux: '83',
} as const;

/**
 * The partition table of a device or image file, or undefined when it has none (a whole-disk file
 * system). A plain GPT on 512-byte sectors is read in-process (sfdisk is a process of ~25 ms a bake);
 * every other case, and any check that fails, is sfdisk's.
 */
export async function readPartitionTable(commands: CommandRunner, device: string): Promise<PartitionTable | undefined> {
  if ((await logicalSectorBytes(device)) === 512) {
    const reading = await readGpt(device).catch(() => undefined);
    if (reading && 'none' in reading) return undefined;
    if (reading && 'gpt' in reading) return { label: 'gpt', sectorSize: 512, partitions: reading.gpt };
  }
  return readWithSfdisk(commands, device);
}

/** 512 for an image file; a block device's logical sector size from sysfs; undefined when unknown. */
async function logicalSectorBytes(device: string): Promise<number | undefined> {
  const info = await stat(device).catch(() => undefined);
  if (info?.isFile()) return 512;
  if (!info?.isBlockDevice()) return undefined;
  const { major, minor } = deviceNumbers(BigInt(info.rdev));
  return Number((await readFile(`/sys/dev/block/${major}:${minor}/queue/logical_block_size`, 'utf8').catch(() => '')).trim()) || undefined;
}

async function readWithSfdisk(commands: CommandRunner, device: string): Promise<PartitionTable | undefined> {
  const result = await commands.run('sfdisk', ['--json', '--', device], { okExitCodes: [0, 1], timeoutMs: 30_000 });
  if (result.exitCode !== 0 || !result.stdout.trim()) return undefined;
  const table = (
    JSON.parse(result.stdout) as {
      partitiontable: { label: string; sectorsize?: number; partitions?: Array<{ node: string; start: number; size: number; type: string }> };
    }
  ).partitiontable;
  if (table.label !== 'gpt' && table.label !== 'dos') return undefined;
  return {
    label: table.label,
    sectorSize: table.sectorsize ?? 512,
    partitions: (table.partitions ?? []).map((p) => ({ number: Number(/(\d+)$/.exec(p.node)?.[1]), start: p.start, size: p.size, type: p.type.toUpperCase() })),
  };
}

/**
 * The root partition: the one asked for; else the one typed as a Linux root partition; else the
 * largest Linux file-system partition.
 */
export function chooseRootPartition(table: PartitionTable, wanted?: number): Partition {
  if (wanted !== undefined) {
    const chosen = table.partitions.find((p) => p.number === wanted);
    if (chosen) return chosen;
    throw new AminatorError(`partition ${wanted} does not exist (there are ${table.partitions.map((p) => p.number).join(', ') || 'none'})`, {
      code: LinuxErrorCodes.NO_ROOT_PARTITION,
      suggestions: ['leave --partition out to detect the root partition'],
    });
  }
  const root = table.partitions.find((p) => p.type === PartitionTypes.rootX86_64 || p.type === PartitionTypes.rootArm64);
  if (root) return root;
  const linux = table.partitions.filter((p) => p.type === PartitionTypes.linuxFilesystem || p.type === PartitionTypes.mbrLinux);
  const largest = [...linux].sort((a, b) => b.size - a.size)[0];
  if (largest) return largest;
  throw new AminatorError('no Linux root partition found in the partition table', {
    code: LinuxErrorCodes.NO_ROOT_PARTITION,
    suggestions: ['name it with --partition N'],
  });
}

/** A partition's byte range on its disk, as a loop device over it takes it. */
export function partitionByteRange(table: PartitionTable, partition: Partition): { offsetBytes: number; sizeBytes: number } {
  return { offsetBytes: partition.start * table.sectorSize, sizeBytes: partition.size * table.sectorSize };
}
