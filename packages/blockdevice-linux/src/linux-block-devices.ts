import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AllocatedDevice,
  AminatorError,
  type Attachment,
  BLOCK_DEVICE_CONFIG,
  type BlockDeviceAllocator,
  LOCK_MANAGER,
  type LockManager,
  pollUntil,
  type StepContext,
} from '@aminator/core';
import { LinuxErrorCodes } from '@aminator/linux-host';
import { inject, injectable } from 'tsyringe';
import type { BlockDeviceConfig } from './blockdevice-config.js';
import { lockName, nvmeLink, slotNames, twinName } from './device-names.js';

/**
 * Allocates `/dev/sd[f-p]` names under host-wide locks (one per slot, shared by its sd and xvd names),
 * skipping slots the OS or the cloud already uses; finds the node of an attached volume under either
 * name or its NVMe by-id link.
 */
@injectable()
export class LinuxBlockDevices implements BlockDeviceAllocator {
  constructor(
    @inject(BLOCK_DEVICE_CONFIG) private readonly config: BlockDeviceConfig,
    @inject(LOCK_MANAGER) private readonly locks: LockManager,
  ) {}

  describePlan(): readonly string[] {
    return [
      this.config.device
        ? `blockdevice linux: use ${this.config.device} as given`
        : `blockdevice linux: first free of /dev/${this.config.prefix}[${this.config.letters}] under a lock in the lock directory`,
    ];
  }

  async allocate(inUse: readonly string[], ctx: StepContext): Promise<AllocatedDevice> {
    if (this.config.device) return this.lockExplicit(this.config.device, ctx);
    for (const letter of this.config.letters) {
      if (this.slotBusy(letter, inUse)) continue;
      const lock = await this.locks.tryAcquire(lockName(letter));
      if (!lock) continue;
      // The node may have appeared between the check and the lock (a bake that does not lock).
      if (this.slotBusy(letter, inUse)) {
        await lock.release();
        continue;
      }
      ctx.cleanup.push({
        description: `release device lock ${lock.path}`,
        resource: { kind: 'lock', id: lock.path },
        manual: [['rm', '-f', lock.path]],
        undo: () => lock.release(),
      });
      return { name: `/dev/${this.config.prefix}${letter}` };
    }
    throw new AminatorError(`no free device name among /dev/${this.config.prefix}[${this.config.letters}]`, {
      code: LinuxErrorCodes.NO_FREE_DEVICE,
      suggestions: ['wait for other bakes to finish, or run `aminate cleanup` to reclaim what crashed bakes left', 'widen blockdevice.linux.letters'],
    });
  }

  async waitForNode(attachment: Attachment, ctx: StepContext): Promise<string> {
    const candidates = attachment.devicePath ? [attachment.devicePath] : this.candidates(attachment);
    ctx.progress(`waiting for ${candidates.join(' or ')}`);
    return pollUntil(() => firstBlockDevice(candidates), {
      what: `the device node of ${attachment.volumeId} (${candidates.join(', ')})`,
      timeoutMs: this.config.nodeTimeoutMs,
      signal: ctx.signal,
      suggestions: ['check that the volume is attached to this host', 'raise blockdevice.linux.nodeTimeoutMs on slow hosts'],
    });
  }

  private async lockExplicit(device: string, ctx: StepContext): Promise<AllocatedDevice> {
    const lock = await this.locks.tryAcquire(lockName(device));
    if (!lock) {
      throw new AminatorError(`${device} is locked by another bake`, {
        code: LinuxErrorCodes.NO_FREE_DEVICE,
        suggestions: ['pick another --block-device, or leave it out to allocate one'],
      });
    }
    ctx.cleanup.push({
      description: `release device lock ${lock.path}`,
      resource: { kind: 'lock', id: lock.path },
      manual: [['rm', '-f', lock.path]],
      undo: () => lock.release(),
    });
    return { name: device };
  }

  private slotBusy(letter: string, inUse: readonly string[]): boolean {
    const local = slotNames(this.config.devRoot, letter);
    const cloud = slotNames('/dev', letter);
    return local.some((p) => exists(p)) || cloud.some((p) => inUse.includes(p));
  }

  private candidates(attachment: Attachment): string[] {
    const requested = join(this.config.devRoot, attachment.requestedDevice.replace(/^\/dev\//, ''));
    const twin = twinName(requested);
    return [requested, ...(twin ? [twin] : []), nvmeLink(this.config.byIdDir, attachment.volumeId)];
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function firstBlockDevice(candidates: readonly string[]): string | undefined {
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    // The name as found, not its target: the partitions are found next to it (xvdf1, …-part1).
    if (statSync(realpathSync(candidate)).isBlockDevice()) return candidate;
  }
  return undefined;
}
