import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../linux/sh.js';
import { attachTestLoop, detachTestLoopIfAttached } from '../linux/test-loop.js';
import type { VolumeAttachmentRecord } from './ec2-records.js';

/** How attached volumes appear on the "instance": Xen names (`xvdf`, `xvdf1`) or NVMe by-id links. */
export type DeviceStyle = 'xen' | 'nvme';

export interface DeviceLayout {
  /** Tests may switch it between bakes. */
  style: DeviceStyle;
  /** Where Xen-style nodes appear (cloud ec2's `devRoot`). */
  readonly devRoot: string;
  /** Where NVMe by-id links appear (cloud ec2's `byIdDir`). */
  readonly byIdDir: string;
}

/**
 * What a kernel with partition support shows when a volume is attached: a node for the disk and one
 * per partition. Here each is a loop device (partitions at their offset and size) behind a link with
 * the name the instance would have.
 */
export function attachDevices(file: string, device: string, volumeId: string, layout: DeviceLayout): Pick<VolumeAttachmentRecord, 'loops' | 'links'> {
  const loops: string[] = [];
  const links: string[] = [];
  try {
    loops.push(attachTestLoop(file));
    const names = nodeNames(device, volumeId, layout);
    mkdirSync(layout.style === 'xen' ? layout.devRoot : layout.byIdDir, { recursive: true });
    link(loops[0] as string, names.disk, links);
    for (const partition of partitionsOf(file)) {
      const loop = attachTestLoop(file, { offset: partition.offset, size: partition.size });
      loops.push(loop);
      link(loop, names.partition(partition.number), links);
    }
    return { loops, links };
  } catch (error) {
    detachDevices({ loops, links });
    throw error;
  }
}

export function detachDevices(attached: Pick<VolumeAttachmentRecord, 'loops' | 'links'>): void {
  for (const path of attached.links) rmSync(path, { force: true });
  for (const loop of [...attached.loops].reverse()) detachTestLoopIfAttached(loop);
}

function link(target: string, path: string, links: string[]): void {
  rmSync(path, { force: true });
  symlinkSync(target, path);
  links.push(path);
}

function nodeNames(device: string, volumeId: string, layout: DeviceLayout): { disk: string; partition: (n: number) => string } {
  if (layout.style === 'nvme') {
    const disk = join(layout.byIdDir, `nvme-Amazon_Elastic_Block_Store_${volumeId.replace('-', '')}`);
    return { disk, partition: (n) => `${disk}-part${n}` };
  }
  // Xen guests see /dev/sdX as /dev/xvdX.
  const disk = join(layout.devRoot, device.replace(/^\/dev\//, '').replace(/^sd/, 'xvd'));
  return { disk, partition: (n) => `${disk}${n}` };
}

function partitionsOf(file: string): Array<{ number: number; offset: number; size: number }> {
  let table: { partitiontable?: { sectorsize?: number; partitions?: Array<{ node: string; start: number; size: number }> } };
  try {
    table = JSON.parse(sh('sfdisk', ['--json', '--', file]));
  } catch {
    return [];
  }
  const sector = table.partitiontable?.sectorsize ?? 512;
  return (table.partitiontable?.partitions ?? []).map((p) => ({
    number: Number(/(\d+)$/.exec(p.node)?.[1] ?? 0),
    offset: p.start * sector,
    size: p.size * sector,
  }));
}
