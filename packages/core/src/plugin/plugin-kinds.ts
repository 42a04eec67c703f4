import type { BlockDeviceAllocator } from '../interfaces/block-device.js';
import type { Cloud } from '../interfaces/cloud.js';
import type { Finalizer } from '../interfaces/finalizer.js';
import type { Metrics } from '../interfaces/metrics.js';
import type { OperatingSystem } from '../interfaces/operating-system.js';
import type { Provisioner } from '../interfaces/provisioner.js';
import type { VolumeManager } from '../interfaces/volume.js';
import {
  BLOCK_DEVICE, BLOCK_DEVICE_CONFIG, CLOUD, CLOUD_CONFIG, FINALIZER, FINALIZER_CONFIG, METRICS,
  METRICS_CONFIG, OS, OS_CONFIG, PROVISIONER, PROVISIONER_CONFIG, VOLUME, VOLUME_CONFIG,
} from '../tokens.js';

/** The extension points, in the order a bake uses them. */
export const PLUGIN_KINDS = ['cloud', 'blockdevice', 'volume', 'os', 'provisioner', 'finalizer', 'metrics'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** The interface each kind's token resolves to. */
export interface PluginKindMap {
  cloud: Cloud;
  blockdevice: BlockDeviceAllocator;
  volume: VolumeManager;
  os: OperatingSystem;
  provisioner: Provisioner;
  finalizer: Finalizer;
  metrics: Metrics;
}

export const KIND_TOKENS: Readonly<Record<PluginKind, symbol>> = {
  cloud: CLOUD,
  blockdevice: BLOCK_DEVICE,
  volume: VOLUME,
  os: OS,
  provisioner: PROVISIONER,
  finalizer: FINALIZER,
  metrics: METRICS,
};

export const KIND_CONFIG_TOKENS: Readonly<Record<PluginKind, symbol>> = {
  cloud: CLOUD_CONFIG,
  blockdevice: BLOCK_DEVICE_CONFIG,
  volume: VOLUME_CONFIG,
  os: OS_CONFIG,
  provisioner: PROVISIONER_CONFIG,
  finalizer: FINALIZER_CONFIG,
  metrics: METRICS_CONFIG,
};

/** Methods an instance of each kind must have; the loader and the testkit check them. */
export const KIND_METHODS: Readonly<Record<PluginKind, readonly string[]>> = {
  cloud: ['resolveBaseImage', 'devicesInUse', 'createVolume', 'attachVolume'],
  blockdevice: ['allocate', 'waitForNode'],
  volume: ['mount'],
  os: ['prepareChroot'],
  provisioner: ['parseSpec', 'provision'],
  finalizer: ['finalize'],
  metrics: ['timer', 'counter', 'flush'],
};

export function isPluginKind(value: unknown): value is PluginKind {
  return typeof value === 'string' && (PLUGIN_KINDS as readonly string[]).includes(value);
}
