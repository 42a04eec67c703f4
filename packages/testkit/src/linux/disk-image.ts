import { mkdtempSync, rmdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from './sh.js';
import { attachTestLoop, detachTestLoop } from './test-loop.js';

export interface DiskImageOptions {
  readonly sizeBytes: number;
  /** `gpt`: one Linux root partition from 1 MiB to the end; `mbr`: one type-83 partition; `none`: whole disk. */
  readonly table: 'gpt' | 'mbr' | 'none';
  readonly fs: 'ext4' | 'xfs';
  /** A tar archive of a root file system to unpack into it. */
  readonly rootTarball?: string;
  /** Files to write, path inside the image → content. */
  readonly files?: Readonly<Record<string, string>>;
}

const ROOT_X86_64 = '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709';
const PARTITION_START = 2048;

/**
 * Make a sparse raw disk image for real-device tests: partition table, file system, contents. Every
 * loop device and mount it uses is released before it returns, also when a step fails.
 */
export function makeDiskImage(path: string, options: DiskImageOptions): { partitionOffset: number } {
  writeFileSync(path, '');
  truncateSync(path, options.sizeBytes);
  if (options.table === 'gpt') sh('sfdisk', ['--quiet', path], { input: `label: gpt\nstart=${PARTITION_START}, type=${ROOT_X86_64}\n` });
  if (options.table === 'mbr') sh('sfdisk', ['--quiet', path], { input: `label: dos\nstart=${PARTITION_START}, type=83\n` });
  const { offset, size } = firstPartition(path, options);
  const loop = attachTestLoop(path, { offset, size });
  try {
    sh(options.fs === 'xfs' ? 'mkfs.xfs' : 'mkfs.ext4', options.fs === 'xfs' ? ['-q', '-f', loop] : ['-q', '-F', loop]);
    if (options.rootTarball || options.files) populate(loop, options);
  } finally {
    detachTestLoop(loop);
  }
  return { partitionOffset: offset };
}

/** Byte range of the first partition as sfdisk laid it out (it aligns the end), or the whole file. */
function firstPartition(path: string, options: DiskImageOptions): { offset: number; size: number } {
  if (options.table === 'none') return { offset: 0, size: options.sizeBytes };
  const table = JSON.parse(sh('sfdisk', ['--json', path])) as { partitiontable: { sectorsize?: number; partitions: Array<{ start: number; size: number }> } };
  const sector = table.partitiontable.sectorsize ?? 512;
  const first = table.partitiontable.partitions[0];
  if (!first) throw new Error(`sfdisk made no partition in ${path}`);
  return { offset: first.start * sector, size: first.size * sector };
}

function populate(device: string, options: DiskImageOptions): void {
  const mountPoint = mkdtempSync(join(tmpdir(), 'aminator-disk-'));
  sh('mount', [device, mountPoint]);
  try {
    if (options.rootTarball) sh('tar', ['-xf', options.rootTarball, '-C', mountPoint, '--numeric-owner']);
    for (const [inside, content] of Object.entries(options.files ?? {})) {
      const target = join(mountPoint, inside);
      sh('mkdir', ['-p', join(target, '..')]);
      writeFileSync(target, content);
    }
  } finally {
    sh('umount', [mountPoint]);
    rmdirSync(mountPoint);
  }
}
