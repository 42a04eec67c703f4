import type { DependencyContainer } from '@aminator/core';
import {
  CLOUD,
  definePlugin,
  FINALIZER,
  METRICS,
  OS,
  PLUGIN_API_VERSION,
  type PluginCommand,
  type PluginKind,
  type PluginModule,
  PROVISIONER,
  sleep,
  VERIFIER,
  VOLUME,
  z,
} from '@aminator/core/internal';
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

/** `aminate fake-wait`: a plugin command that holds a resource until a signal stops it (testkit). */
const FAKE_WAIT_COMMAND: PluginCommand<FakeConfig> = {
  name: 'fake-wait',
  summary: 'wait for a signal, holding a fake resource (testkit)',
  async run(_args, _options, ctx) {
    const outcome = await ctx.runSteps({ steps: ['wait'], subject: 'a signal', dryRun: false }, async (run) => {
      await run.step('wait', async (step) => {
        step.cleanup.push({ description: 'release the fake resource', undo: async () => ctx.log.info('released the fake resource') });
        step.log.info('waiting for a signal');
        await sleep(24 * 3600 * 1000, step.signal);
      });
      return {};
    });
    return outcome.exitCode;
  },
};

/**
 * `aminate fake-forge NAME`: a plugin command that runs steps the way `aminate foundation` does
 * (`ctx.runSteps`), holding a fake resource from `forge` until the closing `cleanup` (testkit).
 */
const FAKE_FORGE_COMMAND: PluginCommand<FakeConfig> = {
  name: 'fake-forge',
  summary: 'run named steps that hold a fake resource (testkit)',
  arguments: [{ name: 'name', description: 'what to forge', required: true }],
  options: [
    { flags: '--metal <kind>', description: 'what to forge it from', required: true },
    { flags: '--dry-run', description: 'plan only' },
  ],
  async run(args, options, ctx) {
    const name = args[0] ?? 'thing';
    const metal = String(options.metal);
    const dryRun = options.dryRun === true;
    const outcome = await ctx.runSteps({ steps: ['plan', 'forge', 'polish'], subject: name, dryRun }, async (run) => {
      const planLines = await run.step('plan', async () => [`would forge ${name} of ${metal}`]);
      if (dryRun) return { planLines };
      await run.step('forge', async (step) => {
        await run.frame(step);
        step.log.info(`hammering ${name}`);
        step.cleanup.push({ description: `cool ${name}`, resource: { kind: 'fake-anvil', id: name }, undo: async () => undefined });
      });
      await run.step('polish', async (step) => step.progress(`polishing ${name}`));
      return { lines: [`forged ${name}`] };
    });
    return outcome.exitCode;
  },
};

function fakeModule(kind: PluginKind, token: symbol, construct: Construct, withOptions = false): PluginModule<PluginKind, FakeConfig> {
  const commands = withOptions ? [FAKE_WAIT_COMMAND, FAKE_FORGE_COMMAND] : undefined;
  return definePlugin({
    kind,
    name: 'fake',
    apiVersion: PLUGIN_API_VERSION,
    summary: `In-memory ${kind} from @aminator/testkit`,
    configSchema: fakeConfigSchema,
    options: withOptions ? FAKE_OPTIONS : undefined,
    commands,
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
  volume: fakeModule('volume', VOLUME, (w) => new FakeVolume(w)),
  os: fakeModule('os', OS, (w) => new FakeOs(w)),
  provisioner: fakeModule('provisioner', PROVISIONER, (w) => new FakeProvisioner(w)),
  finalizer: fakeModule('finalizer', FINALIZER, (w) => new FakeFinalizer(w)),
  metrics: fakeModule('metrics', METRICS, () => new FakeMetrics()),
  verifier: fakeModule('verifier', VERIFIER, (w) => new FakeVerifier(w)),
};
