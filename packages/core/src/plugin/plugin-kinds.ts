import type { Cloud } from '../interfaces/cloud.js';
import type { Finalizer } from '../interfaces/finalizer.js';
import type { Metrics } from '../interfaces/metrics.js';
import type { OperatingSystem } from '../interfaces/operating-system.js';
import type { Provisioner } from '../interfaces/provisioner.js';
import type { Verifier } from '../interfaces/verifier.js';
import type { VolumeManager } from '../interfaces/volume.js';
import {
  CLOUD,
  CLOUD_CONFIG,
  FINALIZER,
  FINALIZER_CONFIG,
  METRICS,
  METRICS_CONFIG,
  OS,
  OS_CONFIG,
  PROVISIONER,
  PROVISIONER_CONFIG,
  VERIFIER,
  VERIFIER_CONFIG,
  VOLUME,
  VOLUME_CONFIG,
} from '../tokens.js';

/** The extension points, in the order a bake uses them. */
export const PLUGIN_KINDS = ['cloud', 'volume', 'os', 'provisioner', 'finalizer', 'metrics', 'verifier'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** Kinds an environment may leave out: a bake runs without them. */
export const OPTIONAL_PLUGIN_KINDS = ['verifier'] as const satisfies readonly PluginKind[];
export type RequiredPluginKind = Exclude<PluginKind, (typeof OPTIONAL_PLUGIN_KINDS)[number]>;
export const REQUIRED_PLUGIN_KINDS = PLUGIN_KINDS.filter((k): k is RequiredPluginKind => !(OPTIONAL_PLUGIN_KINDS as readonly string[]).includes(k));

/** One entry per kind an environment names: every required kind, and the optional ones it names. */
export type EnvironmentKinds<T> = Readonly<Record<RequiredPluginKind, T>> & { readonly verifier?: T };

export function isOptionalKind(kind: PluginKind): boolean {
  return (OPTIONAL_PLUGIN_KINDS as readonly string[]).includes(kind);
}

/** The kinds present in an environment's map, in bake order. */
export function kindsIn<T>(plugins: EnvironmentKinds<T>): PluginKind[] {
  return PLUGIN_KINDS.filter((kind) => plugins[kind] !== undefined);
}

/** The interface each kind's token resolves to. */
export interface PluginKindMap {
  cloud: Cloud;
  volume: VolumeManager;
  os: OperatingSystem;
  provisioner: Provisioner;
  finalizer: Finalizer;
  metrics: Metrics;
  verifier: Verifier;
}

export const KIND_TOKENS: Readonly<Record<PluginKind, symbol>> = {
  cloud: CLOUD,
  volume: VOLUME,
  os: OS,
  provisioner: PROVISIONER,
  finalizer: FINALIZER,
  metrics: METRICS,
  verifier: VERIFIER,
};

export const KIND_CONFIG_TOKENS: Readonly<Record<PluginKind, symbol>> = {
  cloud: CLOUD_CONFIG,
  volume: VOLUME_CONFIG,
  os: OS_CONFIG,
  provisioner: PROVISIONER_CONFIG,
  finalizer: FINALIZER_CONFIG,
  metrics: METRICS_CONFIG,
  verifier: VERIFIER_CONFIG,
};

/** Methods an instance of each kind must have; the loader and the testkit check them. */
export const KIND_METHODS: Readonly<Record<PluginKind, readonly string[]>> = {
  cloud: ['resolveBaseImage', 'createVolume', 'attachVolume'],
  volume: ['mount'],
  os: ['prepareChroot'],
  provisioner: ['parseSpec', 'provision'],
  finalizer: ['finalize'],
  metrics: ['timer', 'counter', 'flush'],
  verifier: ['verify', 'describePlan'],
};

export function isPluginKind(value: unknown): value is PluginKind {
  return typeof value === 'string' && (PLUGIN_KINDS as readonly string[]).includes(value);
}
