import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ec2ErrorCodes } from '@aminator/aws-ec2';
import { AminatorError, type LockManager, pollUntil, type StepContext } from '@aminator/core';
import { lockName, nvmeLink, slotNames, twinName } from './device-names.js';

/** The part of `cloud.ec2` that says which device names to attach at and where their nodes appear. */
export interface DeviceSlotsConfig {
  readonly device?: string;
  readonly devicePrefix: 'sd' | 'xvd';
  readonly deviceLetters: string;
  readonly devRoot: string;
  readonly byIdDir: string;
  readonly nodeTimeoutMs: number;
}

/**
 * EC2 attaches a volume at a name the caller picks: `/dev/sd[f-p]` slots under host-wide locks (one
 * per slot, shared by its sd and xvd names), skipping slots the OS or EC2 already uses; then the node
 * of the attached volume under either name or its NVMe by-id link. Only the EC2 instance cloud needs
 * this: loop-device clouds know their node at once and lock no name.
 */
export class DeviceSlots {
  constructor(
    private readonly config: DeviceSlotsConfig,
    private readonly locks: LockManager,
  ) {}

  describe(): string {
    return this.config.device
      ? `attached at ${this.config.device} as given`
      : `attached at the first free of /dev/${this.config.devicePrefix}[${this.config.deviceLetters}] (a lock per slot)`;
  }

  /** A free name, locked for this bake until the cleanup stack releases it. `inUse`: names EC2 reports attached. */
  async claim(inUse: readonly string[], ctx: StepContext): Promise<string> {
    if (this.config.device) return this.claimExplicit(this.config.device, ctx);
    for (const letter of this.config.deviceLetters) {
      if (this.slotBusy(letter, inUse)) continue;
      const lock = await this.locks.tryAcquire(lockName(letter));
      if (!lock) continue;
      // The node may have appeared between the check and the lock (a tool that does not lock).
      if (this.slotBusy(letter, inUse)) {
        await lock.release();
        continue;
      }
      pushRelease(ctx, lock.path, () => lock.release());
      return `/dev/${this.config.devicePrefix}${letter}`;
    }
    throw new AminatorError(`no free device name among /dev/${this.config.devicePrefix}[${this.config.deviceLetters}]`, {
      code: Ec2ErrorCodes.NO_FREE_DEVICE,
      suggestions: ['wait for other bakes to finish, or run `aminate cleanup` to reclaim what crashed bakes left', 'widen cloud.ec2.deviceLetters'],
    });
  }

  /** The node of the volume attached at `requested`: that name, its sd↔xvd twin, or the NVMe link of the volume. */
  async waitForNode(volumeId: string, requested: string, ctx: StepContext): Promise<string> {
    const local = join(this.config.devRoot, requested.replace(/^\/dev\//, ''));
    const twin = twinName(local);
    const candidates = [local, ...(twin ? [twin] : []), nvmeLink(this.config.byIdDir, volumeId)];
    ctx.progress(`waiting for ${candidates.join(' or ')}`);
    return pollUntil(() => firstBlockDevice(candidates), {
      what: `the device node of ${volumeId} (${candidates.join(', ')})`,
      timeoutMs: this.config.nodeTimeoutMs,
      signal: ctx.signal,
      suggestions: ['check that the volume is attached to this host', 'raise cloud.ec2.nodeTimeoutMs on slow hosts'],
    });
  }

  private async claimExplicit(device: string, ctx: StepContext): Promise<string> {
    const lock = await this.locks.tryAcquire(lockName(device));
    if (!lock) {
      throw new AminatorError(`${device} is locked by another bake`, {
        code: Ec2ErrorCodes.NO_FREE_DEVICE,
        suggestions: ['pick another --block-device, or leave it out to let the cloud pick one'],
      });
    }
    pushRelease(ctx, lock.path, () => lock.release());
    return device;
  }

  private slotBusy(letter: string, inUse: readonly string[]): boolean {
    const local = slotNames(this.config.devRoot, letter);
    const cloud = slotNames('/dev', letter);
    return local.some((p) => exists(p)) || cloud.some((p) => inUse.includes(p));
  }
}

function pushRelease(ctx: StepContext, path: string, release: () => Promise<void>): void {
  ctx.cleanup.push({
    description: `release device lock ${path}`,
    resource: { kind: 'lock', id: path },
    manual: [['rm', '-f', path]],
    undo: release,
  });
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
