import type { DependencyContainer } from '@aminator/core';
import type { CachedSnapshot } from './snapshot-cache.js';

/** A working volume of EBS direct mode: a sparse copy of a cached snapshot on this host. */
export interface DirectVolume {
  readonly id: string;
  /** The working copy the bake wrote into. */
  readonly file: string;
  readonly sizeBytes: number;
  /** The snapshot it was made from, which the new snapshot names as its parent. */
  readonly parent: CachedSnapshot;
}

/**
 * What the EBS direct cloud hands its finalizer: the working file and its parent, by volume id. The
 * token is aws-ec2's (`aminator.<package>.<name>`): both plugins register the same one.
 */
export const DIRECT_VOLUMES = Symbol.for('aminator.aws-ec2.direct-volumes');

export class DirectVolumes {
  private readonly volumes = new Map<string, DirectVolume>();

  add(volume: DirectVolume): void {
    this.volumes.set(volume.id, volume);
  }

  get(id: string): DirectVolume | undefined {
    return this.volumes.get(id);
  }
}

export function registerDirectVolumes(container: DependencyContainer): void {
  if (!container.isRegistered(DIRECT_VOLUMES)) container.registerInstance(DIRECT_VOLUMES, new DirectVolumes());
}
