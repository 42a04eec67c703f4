import {
  BLOCK_DEVICE,
  CLOUD,
  definePlugin,
  FINALIZER,
  METRICS,
  OS,
  PLUGIN_API_VERSION,
  type PluginKind,
  type PluginModule,
  PROVISIONER,
  VERIFIER,
  VOLUME,
  z,
} from '@aminator/core';
import type { DependencyContainer } from 'tsyringe';
import { FakeBlockDevice } from './fake-block-device.js';
import { FakeCloud } from './fake-cloud.js';
import { FakeFinalizer } from './fake-finalizer.js';
import { FakeMetrics } from './fake-metrics.js';
import { FakeOs } from './fake-os.js';
import { FakeProvisioner } from './fake-provisioner.js';
import { FakeVerifier } from './fake-verifier.js';
import { FakeVolume } from './fake-volume.js';
import { FakeWorld } from './fake-world.js';

/** Config of every fake plugin: where to journal, and what to break. */
export const fakeConfigSchema = z
  .object({
    journalFile: z.string().optional(),
    failAt: z.string().optional(),
    hangAt: z.string().optional(),
    delayMs: z.number().int().min(0).optional(),
  })
  .strict();

export type FakeConfig = z.infer<typeof fakeConfigSchema>;

const FAKE_OPTIONS = [
  { flag: 'fake-cloud-fail-at', key: 'failAt', type: 'string', valueName: 'method', description: 'make this method of the fake cloud fail (testkit)' },
  {
    flag: 'fake-cloud-hang-at',
    key: 'hangAt',
    type: 'string',
    valueName: 'method',
    description: 'make this method of the fake cloud wait for a signal (testkit)',
  },
  {
    flag: 'fake-journal',
    key: 'journalFile',
    type: 'string',
    valueName: 'file',
    description: 'where the fake cloud journals what it holds (testkit)',
    cleanup: true,
  },
] as const;

type Construct = (world: FakeWorld) => object;

function fakeModule(kind: PluginKind, token: symbol, construct: Construct, withOptions = false): PluginModule<PluginKind, FakeConfig> {
  return definePlugin({
    kind,
    name: 'fake',
    apiVersion: PLUGIN_API_VERSION,
    summary: `In-memory ${kind} from @aminator/testkit`,
    configSchema: fakeConfigSchema,
    options: withOptions ? FAKE_OPTIONS : undefined,
    register(container: DependencyContainer, config: FakeConfig) {
      container.register(token, { useValue: construct(new FakeWorld(config)) });
    },
  });
}

/**
 * One fake plugin module of each kind, named `fake`, for environments in tests that drive the CLI.
 * Each has its own FakeWorld; pass the same `journalFile` to all of them to see the whole bake.
 */
export const fakePluginModules: Readonly<Record<PluginKind, PluginModule<PluginKind, FakeConfig>>> = {
  cloud: fakeModule('cloud', CLOUD, (w) => new FakeCloud(w), true),
  blockdevice: fakeModule('blockdevice', BLOCK_DEVICE, (w) => new FakeBlockDevice(w)),
  volume: fakeModule('volume', VOLUME, (w) => new FakeVolume(w)),
  os: fakeModule('os', OS, (w) => new FakeOs(w)),
  provisioner: fakeModule('provisioner', PROVISIONER, (w) => new FakeProvisioner(w)),
  finalizer: fakeModule('finalizer', FINALIZER, (w) => new FakeFinalizer(w)),
  metrics: fakeModule('metrics', METRICS, () => new FakeMetrics()),
  verifier: fakeModule('verifier', VERIFIER, (w) => new FakeVerifier(w)),
};
