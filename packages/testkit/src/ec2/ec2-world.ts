import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../linux/sh.js';
import { attachDevices, type DeviceLayout, detachDevices } from './ec2-devices.js';
import { Ec2Fault } from './ec2-query.js';
import type { ImageRecord, SnapshotRecord, VolumeRecord } from './ec2-records.js';

export const GiB = 1024 ** 3;

/** How long each state change takes, in ms (0: at the next tick). */
export interface Ec2Delays {
  volumeCreate: number;
  attach: number;
  detach: number;
  volumeDelete: number;
  snapshot: number;
  image: number;
  copy: number;
  /** EBS direct: CompleteSnapshot until `completed`. */
  directComplete: number;
}

/** Faults a test switches on. */
export interface Ec2Faults {
  /**
   * The next `times` calls of `action` ('*' for any) fail with this code and HTTP status; with
   * `startAfter`, only once that action was called after the fault was armed.
   */
  failNext: Array<{ action: string; code: string; status?: number; times: number; message?: string; startAfter?: string; armedAt?: number }>;
  /** AttachVolume is accepted but the attachment stays `attaching`. */
  attachNeverCompletes: boolean;
  /** Snapshots (CreateSnapshot and CopySnapshot) end in state `error`. */
  snapshotFails: boolean;
}

/**
 * EC2's eventual consistency, per resource kind, in ms: for this long after a create, a call naming
 * the new id answers the kind's NotFound code and a filtered Describe leaves the resource out, as AWS
 * documents it. 0 (the default) shows every resource at once.
 */
export interface Ec2Consistency {
  volume: number;
  snapshot: number;
  image: number;
}

export type ResourceKind = keyof Ec2Consistency;

const NOT_FOUND: Readonly<Record<ResourceKind, (id: string) => Ec2Fault>> = {
  volume: (id) => new Ec2Fault('InvalidVolume.NotFound', `The volume '${id}' does not exist.`),
  snapshot: (id) => new Ec2Fault('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`),
  image: (id) => new Ec2Fault('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`),
};

export interface Ec2Instance {
  readonly instanceId: string;
  readonly region: string;
  readonly availabilityZone: string;
  readonly accountId: string;
}

export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(8).toString('hex').slice(0, 17)}`;
}

/**
 * The state behind the test endpoint: volumes, snapshots and images per region, with timed state
 * changes. Volumes and snapshots are sparse files; an attachment is loop devices and links.
 */
export class Ec2World {
  readonly volumes = new Map<string, VolumeRecord>();
  readonly snapshots = new Map<string, SnapshotRecord>();
  readonly images = new Map<string, ImageRecord>();
  readonly delays: Ec2Delays = { volumeCreate: 0, attach: 0, detach: 0, volumeDelete: 0, snapshot: 0, image: 0, copy: 0, directComplete: 0 };
  readonly faults: Ec2Faults = { failNext: [], attachNeverCompletes: false, snapshotFails: false };
  readonly consistency: Ec2Consistency = { volume: 0, snapshot: 0, image: 0 };
  /** The account's "encrypt new EBS volumes and snapshot copies" setting. */
  encryptionByDefault = false;
  /** When each resource made through the API becomes visible (absent: visible). */
  private readonly visibleAt = new Map<string, number>();
  /** Every state change with its time, for measuring how soon clients notice (bench/ec2-waits). */
  readonly transitions: Array<{ id: string; state: string; at: number }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly dir: string,
    readonly instance: Ec2Instance,
    readonly devices: DeviceLayout,
  ) {
    mkdirSync(join(dir, 'volumes'), { recursive: true });
    mkdirSync(join(dir, 'snapshots'), { recursive: true });
  }

  /** Run `change` after `ms` (state transitions), tracked so `close` can stop them. */
  later(ms: number, change: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      change();
    }, ms);
    this.timers.add(timer);
  }

  /** A resource was just created: hide it for the kind's consistency window. */
  created(kind: ResourceKind, id: string): void {
    const window = this.consistency[kind];
    if (window <= 0) return;
    this.visibleAt.set(id, Date.now() + window);
    this.later(window, () => this.noteTransition(id, 'visible'));
  }

  /** Whether the API shows `id` yet. */
  visible(id: string): boolean {
    const at = this.visibleAt.get(id);
    return at === undefined || Date.now() >= at;
  }

  noteTransition(id: string, state: string): void {
    this.transitions.push({ id, state, at: Date.now() });
  }

  /** Detach everything still attached and stop pending transitions (files stay for inspection). */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const volume of this.volumes.values()) {
      if (volume.attachment) detachDevices(volume.attachment);
      volume.attachment = undefined;
    }
  }

  volume(id: string, region: string): VolumeRecord {
    const volume = this.volumes.get(id);
    if (!volume || volume.region !== region || volume.state === 'deleted' || !this.visible(id)) throw NOT_FOUND.volume(id);
    return volume;
  }

  snapshot(id: string, region: string): SnapshotRecord {
    const snapshot = this.snapshots.get(id);
    if (!snapshot || snapshot.region !== region || !this.visible(id)) throw NOT_FOUND.snapshot(id);
    return snapshot;
  }

  image(id: string, region: string): ImageRecord {
    const image = this.images.get(id);
    if (!image || image.region !== region || image.state === 'deregistered' || !this.visible(id)) throw NOT_FOUND.image(id);
    return image;
  }

  /** A snapshot file from a disk image, for seeding base images. */
  addSnapshotFromFile(source: string, region: string, ownerId: string, sizeGiB: number): SnapshotRecord {
    const id = newId('snap');
    const file = this.copyToSnapshotFile(source, id);
    const snapshot: SnapshotRecord = {
      id,
      region,
      volumeId: 'vol-ffffffff',
      sizeGiB,
      state: 'completed',
      progress: 100,
      file,
      ownerId,
      description: 'seeded',
      encrypted: false,
      startTime: new Date().toISOString(),
      tags: {},
    };
    this.snapshots.set(id, snapshot);
    return snapshot;
  }

  createVolumeFile(id: string, snapshot: SnapshotRecord | undefined, sizeGiB: number): string {
    const file = join(this.dir, 'volumes', `${id}.raw`);
    if (snapshot) sh('cp', ['--reflink=auto', '--sparse=always', '--', snapshot.file, file]);
    else copyFileSync('/dev/null', file);
    truncateSync(file, sizeGiB * GiB);
    return file;
  }

  /** A snapshot's file: a sparse copy of a volume's or another snapshot's file. */
  copyToSnapshotFile(sourceFile: string, id: string): string {
    const file = join(this.dir, 'snapshots', `${id}.raw`);
    sh('cp', ['--reflink=auto', '--sparse=always', '--', sourceFile, file]);
    return file;
  }

  /** An empty (all-zero, sparse) snapshot file, for an EBS direct snapshot without a parent. */
  emptySnapshotFile(id: string): string {
    const file = join(this.dir, 'snapshots', `${id}.raw`);
    copyFileSync('/dev/null', file);
    return file;
  }

  attach(volume: VolumeRecord, device: string): void {
    const made = attachDevices(volume.file, device, volume.id, this.devices);
    if (!volume.attachment || volume.state === 'deleted') {
      detachDevices(made);
      return;
    }
    volume.attachment.loops = made.loops;
    volume.attachment.links = made.links;
    volume.attachment.state = 'attached';
    this.noteTransition(volume.id, 'attached');
  }

  detach(volume: VolumeRecord): void {
    if (volume.attachment) detachDevices(volume.attachment);
    volume.attachment = undefined;
    volume.state = 'available';
    this.noteTransition(volume.id, 'detached');
  }

  removeFile(file: string): void {
    rmSync(file, { force: true });
  }
}
